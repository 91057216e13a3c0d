"""Fixtures for the dataset tests: a throwaway HTTP file server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from http_fixture import FileServer


@pytest.fixture
def http_server() -> Iterator[FileServer]:
    """A running FileServer; routes are added by the test with ``serve``."""
    server = FileServer()
    server.start()
    try:
        yield server
    finally:
        server.close()
