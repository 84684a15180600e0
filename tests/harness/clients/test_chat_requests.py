"""Chat requests by name (harness/clients/chat_requests.py): known names, unknown ones refused with the list."""

import pytest

from harness.clients import chat_requests


def test_an_option_adds_its_fields_and_a_tool_choice_offers_the_tool():
    body = chat_requests.with_option('the tool choice "required"')
    assert body["tool_choice"] == "required" and body["tools"][0]["function"]["name"] == "lookup"
    assert body["user"].startswith("client-") and body["messages"][0]["role"] == "user"


def test_every_client_gets_a_name_of_its_own():
    assert chat_requests.chat_body()["user"] != chat_requests.chat_body()["user"]


def test_content_parts_and_broken_requests_by_name():
    parts = chat_requests.with_content_parts("a text part and two image parts")["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url", "image_url"]
    body, field = chat_requests.broken("0 choices (n = 0)")
    assert (body["n"], field) == (0, "n")


@pytest.mark.parametrize("call", [chat_requests.with_option, chat_requests.with_content_parts, chat_requests.broken])
def test_an_unknown_name_is_refused_with_the_known_ones(call):
    with pytest.raises(ValueError, match="the known ones are"):
        call("something nobody wrote")
