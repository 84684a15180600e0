"""The options app: the LitServer options its settings switch on, and what it leaves out on older releases."""

from __future__ import annotations

import litserve as ls
import pytest

from harness.paths import REPO_ROOT
from harness.serving import traits
from servers import options_apps
from servers.catalog import settings_for

PRODUCTION = ('a model server that reports what LitServe did with each request, with the fast queue, with callbacks '
              'recording each hook, with 2 middlewares of its own, tracking the requests in flight, with its health '
              'check at "/healthz", with its info at "/about", describing its model as name "squarer" and version '
              '"2.1", without an OpenAPI schema, with no request timeout, with a shutdown API behind the key "bye-now", '
              'with 1 inference worker for "/predict" and 2 for "/second", given as a dict, and with 1 API server')


def test_the_production_phrase_is_the_deployment_of_server_options_feature():
    """edge_cases.feature's short phrase and server_options.feature's Background ask for one server."""
    background = (REPO_ROOT / "features" / "server_options.feature").read_text()
    assert f"Given {PRODUCTION}\n" in background
    short = traits.parse_server("a model server that reports what LitServe did with each request, deployed with the "
                                "production options")
    assert short.settings_or_raise() == traits.parse_server(PRODUCTION).settings_or_raise()


def test_the_production_sentence_switches_every_option_on():
    wanted = traits.parse_server(PRODUCTION)
    options = options_apps.server_options(settings_for("options", wanted.settings_or_raise()))
    assert options["fast_queue"] and options["track_requests"] and options["disable_openapi_url"]
    assert [type(c) for c in options["callbacks"]] == [options_apps.HookRecorder]
    assert [kwargs["name"] for _, kwargs in options["middlewares"]] == ["m1", "m2"]
    assert options["healthcheck_path"] == "/healthz" and options["info_path"] == "/about"
    assert options["model_metadata"] == {"name": "squarer", "version": "2.1"}
    assert options["workers_per_device"] == {"/predict": 1, "/second": 2}
    assert wanted.settings["timeout"] == 0.0 and wanted.settings["api_servers"] == 1


@pytest.mark.parametrize("form, expected", [("list", [2, 1]), ("dict", {"/predict": 2, "/second": 1})])
def test_workers_per_model_as_a_list_or_a_dict(form, expected):
    wanted = traits.parse_server(f'a model server that reports what LitServe did with each request, with 2 inference '
                                 f'workers for "/predict" and 1 for "/second", given as a {form}')
    assert options_apps.server_options(settings_for("options", wanted.settings_or_raise()))["workers_per_device"] == expected


def test_an_option_the_release_lacks_is_left_out_and_said(monkeypatch, capsys):
    class OldServer:
        def __init__(self, lit_api, callbacks=None, middlewares=None):
            pass

    monkeypatch.setattr(ls, "LitServer", OldServer)
    options = options_apps.server_options(settings_for("options", {"fast_queue": True, "callbacks": True}))
    assert set(options) == {"callbacks"}
    assert "has no fast_queue: serving without" in capsys.readouterr().out


def test_the_health_modes():
    raising = options_apps.OptionsAPI(settings_for("options", {"health_mode": "raises"}))
    with pytest.raises(RuntimeError):
        raising.health()
    assert options_apps.OptionsAPI(settings_for("options", {"health_mode": "slow:1"})).health() is True
