"""Release numbers and the @litserve.since / @litserve.until tags."""

from __future__ import annotations

import pytest

from harness.tags.releases import not_applicable_reason, parse


def test_release_numbers_and_version_tags():
    assert parse("0.2.19") > parse("0.2.9") > parse("0.2.0")
    assert parse("0.2.20.dev1") == (0, 2, 20)
    with pytest.raises(ValueError):
        parse("latest")
    assert not_applicable_reason(["litserve.since:0.2.6"], "0.2.5").startswith("LitServe 0.2.5 predates")
    assert not_applicable_reason(["litserve.since:0.2.6", "litserve.until:0.2.11"], "0.2.6") == ""
    assert not_applicable_reason(["litserve.until:0.2.11"], "0.2.12").startswith("LitServe 0.2.12 no longer")
    assert not_applicable_reason(["critical"], "0.2.19") == ""
