"""Large request and answer bodies: send megabytes, compare what comes back by length and digest.

The bodies are never attached to the report (a 50 MB attachment helps nobody); the step attaches
their sizes, digests and timings instead.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from dataclasses import dataclass, field

import httpx

MB = 2 ** 20
#: Client-side time limit for one large request (50 MB each way through LitServe's queues).
PAYLOAD_TIME_LIMIT = 120.0


def text_of(size: int) -> str:
    """``size`` characters of random text (base64): a byte changed, lost or moved shows in the digest."""
    return base64.b64encode(os.urandom(size * 3 // 4 + 3)).decode()[:size]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class EchoResult:
    """What a large request sent and what came back."""

    sent_length: int
    sent_digest: str
    status: int = 0
    returned_length: int = -1
    returned_digest: str = ""
    seconds: float = 0.0
    detail: str = ""

    def as_dict(self) -> dict:
        return {"sent_mb": round(self.sent_length / MB, 2), "status": self.status,
                "returned_mb": round(max(self.returned_length, 0) / MB, 2), "seconds": round(self.seconds, 2),
                "same_digest": self.sent_digest == self.returned_digest, "detail": self.detail[:200]}


def echo(url: str, size: int) -> EchoResult:
    """POST ``{"data": <size characters>}`` and read ``{"data": ...}`` back."""
    text = text_of(size)
    result = EchoResult(len(text), digest(text))
    body = json.dumps({"data": text}).encode()
    started = time.monotonic()
    with httpx.Client(timeout=PAYLOAD_TIME_LIMIT, verify=False) as client:
        response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    result.seconds = time.monotonic() - started
    result.status = response.status_code
    if response.status_code == 200:
        data = response.json().get("data", "")
        result.returned_length, result.returned_digest = len(data), digest(data)
    else:
        result.detail = response.text
    return result


@dataclass
class BigStream:
    """A stream of large chunks, checked against what the model should have sent."""

    chunk_size: int
    expected: int
    status: int = 0
    chunk_lengths: list[int] = field(default_factory=list)
    in_order_and_whole: list[bool] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"status": self.status, "chunks": len(self.chunk_lengths), "expected": self.expected,
                "chunk_mb": [round(n / MB, 3) for n in self.chunk_lengths], "seconds": round(self.seconds, 2),
                "every_chunk_whole_and_in_place": all(self.in_order_and_whole)}


def big_stream(url: str, chunks: int, size: int) -> BigStream:
    """Stream ``chunks`` chunks whose text is a ``size``-character prompt plus ``-<index>`` (the ``tokens`` app)."""
    prompt = text_of(size)
    result = BigStream(size, chunks)
    started = time.monotonic()
    with httpx.Client(timeout=PAYLOAD_TIME_LIMIT, verify=False) as client:
        with client.stream("POST", url, json={"client": "big", "prompt": prompt, "chunks": chunks,
                                              "chunk_pause": 0}) as response:
            result.status = response.status_code
            for line in response.iter_lines():
                if not line.strip():
                    continue
                text = json.loads(line).get("text", "")
                result.chunk_lengths.append(len(text))
                result.in_order_and_whole.append(text == f"{prompt}-{len(result.in_order_and_whole)}")
    result.seconds = time.monotonic() - started
    return result
