"""The metadata state files: the docs/spot.md schema, written atomically, cleared idempotently."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from harness.spot.metadata import MetadataFiles, Notice


def test_publish_writes_the_documented_schema(tmp_path: Path) -> None:
    files = MetadataFiles(tmp_path / "metadata")
    files.publish("inference-a-1", Notice("aws", 1764409000.5, 1764409010.0, 1764409130.0))
    path = tmp_path / "metadata" / "inference-a-1.json"
    assert files.path("inference-a-1") == path
    state = json.loads(path.read_text())
    assert set(state) == {"provider", "rebalance_at", "notice_at", "terminate_at", "event_id"}
    assert state["provider"] == "aws"
    assert state["rebalance_at"] == 1764409000.5
    assert state["notice_at"] == 1764409010.0
    assert state["terminate_at"] == 1764409130.0
    event_id = state["event_id"]
    assert event_id == event_id.upper()
    assert str(uuid.UUID(event_id)).upper() == event_id  # a canonical UUID, upper-case


def test_no_rebalance_is_null(tmp_path: Path) -> None:
    files = MetadataFiles(tmp_path)
    files.publish("i", Notice("gcp", None, 10.0, 40.0))
    state = json.loads(files.path("i").read_text())
    assert state["rebalance_at"] is None
    assert state["provider"] == "gcp"


def test_publish_is_atomic_and_replaces(tmp_path: Path) -> None:
    files = MetadataFiles(tmp_path)
    files.publish("i", Notice("aws", None, 10.0, 130.0))
    first = json.loads(files.path("i").read_text())
    files.publish("i", Notice("azure", None, 20.0, 50.0))
    second = json.loads(files.path("i").read_text())
    assert second["provider"] == "azure" and second["notice_at"] == 20.0
    assert second["event_id"] != first["event_id"]  # a new preemption is a new event
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.json"]  # no .tmp left behind


def test_one_file_per_instance(tmp_path: Path) -> None:
    files = MetadataFiles(tmp_path)
    files.publish("inference-a-1", Notice("aws", None, 1.0, 2.0))
    files.publish("inference-a-2", Notice("aws", None, 1.0, 2.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "inference-a-1.json",
        "inference-a-2.json",
    ]
    files.clear("inference-a-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inference-a-2.json"]


def test_clear_removes_and_is_idempotent(tmp_path: Path) -> None:
    files = MetadataFiles(tmp_path)
    files.publish("i", Notice("aws", None, 1.0, 2.0))
    files.clear("i")
    assert not files.path("i").exists()
    files.clear("i")  # again: no error
    files.clear("never-published")
    assert list(tmp_path.iterdir()) == []


def test_creates_its_folder(tmp_path: Path) -> None:
    MetadataFiles(tmp_path / "run" / "metadata")
    assert (tmp_path / "run" / "metadata").is_dir()
