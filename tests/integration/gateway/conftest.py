"""Fixtures: model servers speaking other protocols and a real gateway, all stopped at the end."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from protocol_servers import Gateway, ModelServer


@pytest.fixture
def model_server() -> Iterator[Callable[..., ModelServer]]:
    """Start ModelServer(**kwargs); every one is closed at the end."""
    started: list[ModelServer] = []

    def start(**kwargs: Any) -> ModelServer:
        server = ModelServer(**kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Callable[..., Gateway]]:
    """Start a real gateway in front of the instance entries given; killed at the end."""
    started: list[Gateway] = []

    def start(instances: list[dict[str, Any]], **kwargs: Any) -> Gateway:
        gw = Gateway(tmp_path, instances, **kwargs)
        started.append(gw)
        return gw

    yield start
    for gw in started:
        gw.close()
