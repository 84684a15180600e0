"""Chat completion requests by name, for the OpenAI API to the letter (features/openai_spec.feature).

The features name what a request carries in plain words ('the response format "a JSON object"',
'a message with the role "wizard"'); this module turns the words into the request body a client of
OpenAI's Chat Completions API sends. An unknown name raises with the list of known ones.
"""

from __future__ import annotations

import uuid
from typing import Any

CHAT_PATH = "/v1/chat/completions"
MODEL = "lit-chat"
#: A 1x1 PNG, as a data URL: what a client sends as an image content part.
PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5"
         "ErkJggg==")
LOOKUP_TOOL = {"type": "function", "function": {"name": "lookup", "description": "Looks a topic up.",
                                                "parameters": {"type": "object",
                                                               "properties": {"topic": {"type": "string"}}}}}

#: Option words -> the fields they add to a request (a tool choice also offers the tool).
OPTIONS: dict[str, dict[str, Any]] = {
    'the response format "a JSON object"': {"response_format": {"type": "json_object"}},
    'the response format "the JSON schema answer"': {"response_format": {
        "type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": {
            "type": "object", "properties": {"topic": {"type": "string"}}, "required": ["topic"]}}}},
    'the tool choice "none"': {"tools": [LOOKUP_TOOL], "tool_choice": "none"},
    'the tool choice "auto"': {"tools": [LOOKUP_TOOL], "tool_choice": "auto"},
    'the tool choice "required"': {"tools": [LOOKUP_TOOL], "tool_choice": "required"},
    'the tool choice "the function lookup"': {"tools": [LOOKUP_TOOL],
                                              "tool_choice": {"type": "function", "function": {"name": "lookup"}}},
    'the stop sequence "END"': {"stop": "END"},
    'the stop sequences "END" and "STOP"': {"stop": ["END", "STOP"]},
    'the reasoning effort "low"': {"reasoning_effort": "low"},
    'the reasoning effort "high"': {"reasoning_effort": "high"},
    'the metadata "team: search"': {"metadata": {"team": "search"}},
    'the metadata "team: search" and "tier: gold"': {"metadata": {"team": "search", "tier": "gold"}},
}

#: Message words -> the messages of a request whose content has parts.
CONTENT_PARTS: dict[str, list[dict]] = {
    "a text part and an image part with high detail": [
        {"type": "text", "text": "what is in this image"},
        {"type": "image_url", "image_url": {"url": PIXEL, "detail": "high"}}],
    "a text part and an image part without detail": [
        {"type": "text", "text": "what is in this image"}, {"type": "image_url", "image_url": {"url": PIXEL}}],
    "a text part and two image parts": [
        {"type": "text", "text": "compare these images"},
        {"type": "image_url", "image_url": {"url": PIXEL, "detail": "low"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "auto"}}],
}

_HELLO = [{"role": "user", "content": "tell me about alpha"}]
#: Broken-request words -> (the body, the field its error message must name).
BROKEN: dict[str, tuple[dict, str]] = {
    'a message with the role "wizard"': ({"messages": [{"role": "wizard", "content": "hi"}]}, "role"),
    "a message without a role": ({"messages": [{"content": "hi"}]}, "role"),
    "no messages": ({}, "messages"),
    "messages that are not a list": ({"messages": "hi"}, "messages"),
    "0 choices (n = 0)": ({"messages": _HELLO, "n": 0}, "n"),
    "a negative number of choices (n = -1)": ({"messages": _HELLO, "n": -1}, "n"),
}


def _named(table: dict, words: str, what: str):
    try:
        return table[words]
    except KeyError:
        raise ValueError(f"unknown {what} {words!r}; the known ones are:\n  " + "\n  ".join(table)) from None


def new_user(prefix: str = "client") -> str:
    """A client name no other request of the run carries (the traces of shared servers are told apart by it)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def chat_body(message: str = "tell me about alpha", *, stream: bool = False, user: str = "", **extra) -> dict:
    """A chat request with one user message (and ``user``, a name of its own unless given)."""
    return {"model": MODEL, "messages": [{"role": "user", "content": message}], "stream": stream,
            "user": user or new_user(), **extra}


def with_option(words: str, *, stream: bool = False) -> dict:
    """A chat request carrying the option the words name (``OPTIONS``)."""
    return chat_body(stream=stream, **_named(OPTIONS, words, "request option"))


def with_content_parts(words: str) -> dict:
    """A chat request whose user message has the content parts the words name (``CONTENT_PARTS``)."""
    body = chat_body()
    body["messages"] = [{"role": "user", "content": _named(CONTENT_PARTS, words, "message content")}]
    return body


def broken(words: str) -> tuple[dict, str]:
    """A request that breaks the Chat Completions schema, and the field its error must name (``BROKEN``)."""
    body, field = _named(BROKEN, words, "broken request")
    return {"model": MODEL, **body}, field
