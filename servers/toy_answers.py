"""What the toy models answer, as plain functions that the apps and the suite's checks share.

No LitServe here: behave imports this module to compute the answers it expects, and importing LitServe
would cost every run half a second before its first scenario.
"""

from __future__ import annotations

#: The embedding model's number of dimensions.
EMBEDDING_DIMENSIONS = 4


def embedding_of(text: str) -> list[float]:
    """The model's vector for ``text``: length, first and last character codes / 8, minus the word count / 4.

    Every value is a small multiple of 1/8 or 1/4, exact in float32 (the base64 format) and in JSON.
    """
    if not text:
        return [0.0] * EMBEDDING_DIMENSIONS
    return [float(len(text)), ord(text[0]) / 8, ord(text[-1]) / 8, -len(text.split()) / 4]


def embedding_of_tokens(ids: list[int]) -> list[float]:
    """The model's vector for a list of token ids: their number, the first and last id / 8, and -1/4."""
    return [float(len(ids)), ids[0] / 8, ids[-1] / 8, -0.25] if ids else [0.0] * EMBEDDING_DIMENSIONS
