"""A server LitServe refuses to build is an assertion (LitServe's answer); any other early exit is not."""

from __future__ import annotations

import pytest

from harness.serving.launcher import ConfigurationRefused, ServerSpec, ServerStartError, start_server
from harness.serving.start_errors import REFUSED_EXIT_CODE, litserve_refusal
from servers import __main__ as server_main
from servers.settings import AppSettings

REFUSED_LINE = ("suite: $ python -m servers chat\n"
                "suite: LitServe refused to start app 'chat' with {'enable_async': True}: ValueError: LitAPI("
                "enable_async=True) requires all methods to be coroutines.\n\nPlease either set enable_async=False"
                "\n    ... (raised in litserve/api.py)\n")


def test_the_exit_code_is_the_one_the_server_uses():
    assert REFUSED_EXIT_CODE == server_main.REFUSED_EXIT_CODE


def test_a_value_error_raised_by_litserve_is_its_refusal():
    refusal = litserve_refusal(REFUSED_EXIT_CODE, REFUSED_LINE)
    assert refusal.startswith("ValueError: LitAPI(enable_async=True) requires all methods to be coroutines.")
    assert "Please either set enable_async=False" in refusal


@pytest.mark.parametrize("exit_code, log", [
    (1, REFUSED_LINE),                                                       # another way to exit
    (REFUSED_EXIT_CODE, REFUSED_LINE.replace(" (raised in litserve/api.py)", "")),   # raised in the suite's app
    (REFUSED_EXIT_CODE, REFUSED_LINE.replace("ValueError", "TypeError")),    # a wrong call, not a refusal
    (REFUSED_EXIT_CODE, "Traceback (most recent call last):\nValueError: boom\n"),
])
def test_anything_else_is_not_a_refusal(exit_code, log):
    assert litserve_refusal(exit_code, log) == ""


def test_the_server_names_the_litserve_module_that_raised():
    import litserve.specs.openai as spec

    with pytest.raises(Exception) as raised:  # whatever LitServe raises for a model that is not a LitAPI
        spec.OpenAISpec().pre_setup(object())
    assert server_main._raised_in_litserve(raised.value).startswith(" (raised in litserve/specs/openai.py")
    try:
        raise ValueError("the suite's own")
    except ValueError as error:
        assert server_main._raised_in_litserve(error) == ""


def test_a_configuration_litserve_refuses_is_an_assertion_that_quotes_it(tmp_path):
    spec = ServerSpec("traced_square", AppSettings(enable_async=True, max_batch_size=2, batch_timeout=0.01))
    with pytest.raises(ConfigurationRefused, match="LitServe refused the model's configuration: .*Async batching") as error:
        start_server(spec, log_dir=tmp_path)
    assert isinstance(error.value, AssertionError) and isinstance(error.value, ServerStartError)
