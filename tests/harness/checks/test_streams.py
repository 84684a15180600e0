"""Stream checks on known transcripts: strangers' chunks, order and loss."""

from __future__ import annotations

import json

import pytest

from harness.checks import streams as stream_checks
from harness.clients.streams import Chunk, StreamTranscript

URL = "http://127.0.0.1:9/predict"


def _transcript(client: str, prompt: str, items: list, clean: bool = True) -> StreamTranscript:
    transcript = StreamTranscript(URL, {"client": client, "prompt": prompt}, status=200, ended_cleanly=clean)
    transcript.chunks = [Chunk(1.0 + i / 10, json.dumps(item)) for i, item in enumerate(items)]
    return transcript


def test_streams_are_own_accepts_complete_streams_and_catches_strangers_order_and_loss():
    own = [{"client": "a", "text": f"p-{i}"} for i in range(3)]
    stream_checks.streams_are_own([_transcript("a", "p", own)], 3)
    with pytest.raises(AssertionError, match="belong to other clients"):
        stream_checks.streams_are_own([_transcript("a", "p", own[:2] + [{"client": "b", "text": "p-2"}])], 3)
    with pytest.raises(AssertionError, match="expected chunks in order"):
        stream_checks.streams_are_own([_transcript("a", "p", [own[1], own[0], own[2]])], 3)
    with pytest.raises(AssertionError, match="expected chunks in order"):
        stream_checks.streams_are_own([_transcript("a", "p", own[:2])], 3)
    with pytest.raises(AssertionError, match="did not end cleanly"):
        stream_checks.streams_are_own([_transcript("a", "p", own, clean=False)], 3)
