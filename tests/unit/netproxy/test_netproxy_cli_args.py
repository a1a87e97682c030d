"""Flags parse in every form Toxiproxy's Go flag package accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.netproxy.__main__ import parse_args


@pytest.mark.parametrize(
    "argv",
    [
        ["-host", "127.0.0.1", "-port", "9", "-config", "c.json"],
        ["-host=127.0.0.1", "-port=9", "-config=c.json"],
        ["--host", "127.0.0.1", "--port", "9", "--config", "c.json"],
        ["--host=127.0.0.1", "--port=9", "--config=c.json"],
    ],
)
def test_flag_forms(argv: list[str]) -> None:
    args = parse_args(argv)
    assert (args.host, args.port, args.config) == ("127.0.0.1", 9, Path("c.json"))


def test_defaults() -> None:
    args = parse_args([])
    assert (args.host, args.port, args.config, args.seed) == ("127.0.0.1", 8474, None, None)
