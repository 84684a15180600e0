"""The request bodies the instrumented apps expect; every body carries its client's name."""

from __future__ import annotations


def square_request(client: str, number: float) -> dict:
    """A request to the ``square`` model: ``{"client": "client-1", "input": 3}``."""
    return {"client": client, "input": number}


def stream_request(client: str, prompt: str, chunks: int | None = None) -> dict:
    """A request to the ``tokens`` model; ``chunks`` asks for a reply of that many chunks (the app's default if None)."""
    body: dict = {"client": client, "prompt": prompt}
    if chunks is not None:
        body["chunks"] = chunks
    return body
