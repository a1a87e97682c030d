"""A service's flags dataclass is its parser and its argv: what the harness renders, it reads."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from targets.common.flags import RegionUrl, ServerFlags, argv, parser
from targets.contract import (
    GatewayFlags,
    InferenceFlags,
    IngestFlags,
    MetadataFlags,
    ObjectStoreFlags,
    ReplicatorFlags,
    RetrainFlags,
)

EAST, WEST = RegionUrl("us-east-1", "http://p:1"), RegionUrl("eu-west-1", "http://p:2")

FILLED: list[ServerFlags] = [
    InferenceFlags(
        model=Path("{mount:model}/model.onnx"),
        region="",
        drain_grace_s=1 / 3,
        registry="http://p:9",
        spot_metadata="{sidecar:metadata}",
        spot_provider="azure",
        spot_poll_s=0.25,
    ),
    GatewayFlags(config=Path("/c/gateway.json"), drain_timeout_s=2.5),
    ObjectStoreFlags(region="eu-west-1"),
    MetadataFlags(state=Path("/m/inference-a-0.json"), instance="inference-a-0"),
    IngestFlags(
        region="us-east-1",
        instance="ingest-us-east-1",
        store="http://p:3",
        replication="sync",
        replica=(WEST,),
        profile=Path("/m/profile.json"),
    ),
    ReplicatorFlags(
        region="us-east-1", instance="r", store="http://p:3", replica=(WEST, EAST), lag_s=5.0
    ),
    RetrainFlags(
        store="http://p:3",
        publish=(EAST, WEST),
        golden=Path("/m/holdout.npz"),
        profile=Path("/m/profile.json"),
        on_drift=False,
        window=1000,
    ),
]


def parsed(flags: ServerFlags, args: tuple[str, ...]) -> Any:
    """What the service reads from `args`, as its flags dataclass."""
    cls = type(flags)
    values = vars(parser(cls, "prog", None).parse_args(list(args)))
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


@pytest.mark.parametrize("flags", FILLED, ids=lambda f: type(f).__name__)
def test_the_service_reads_back_exactly_what_was_rendered(flags: ServerFlags) -> None:
    assert parsed(flags, argv(flags)) == flags


def test_only_what_differs_from_the_default_is_rendered() -> None:
    assert argv(ObjectStoreFlags()) == ()
    assert argv(ObjectStoreFlags(region="eu-west-1")) == ("--region", "eu-west-1")


def test_repeated_flags_booleans_and_floats_read_as_a_person_would_write_them() -> None:
    flags = RetrainFlags(
        store="s", publish=(EAST, WEST), golden=Path("g"), profile=Path("p"), on_drift=False
    )
    args = argv(flags)
    assert args[args.index("--publish") : args.index("--publish") + 4] == (
        "--publish",
        "us-east-1=http://p:1",
        "--publish",
        "eu-west-1=http://p:2",
    )
    assert "--no-on-drift" in args
    assert argv(GatewayFlags(config=Path("c"), drain_grace_s=0.5))[-2:] == (
        "--drain-grace-s",
        "0.5",
    )


def test_a_float_is_never_rounded_on_the_way() -> None:
    flags = InferenceFlags(model=Path("m"), drain_grace_s=1 / 3)
    assert parsed(flags, argv(flags)).drain_grace_s == 1 / 3


def test_a_required_flag_left_out_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser(MetadataFlags, "python -m targets.metadata.server", None).parse_args(
            ["--state", "s"]
        )
    assert "the following arguments are required: --instance" in capsys.readouterr().err


def test_a_bad_value_is_refused_with_the_flag_named(capsys: pytest.CaptureFixture[str]) -> None:
    p = parser(IngestFlags, "python -m targets.pipeline.ingest", None)
    base = ["--region", "a", "--instance", "i", "--store", "s", "--profile", "p"]
    with pytest.raises(SystemExit):
        p.parse_args([*base, "--replica", "no-equals-sign"])
    assert (
        "argument --replica: expected REGION=URL, got 'no-equals-sign'" in capsys.readouterr().err
    )


def test_every_flag_of_every_service_has_a_parser() -> None:
    # parser() refuses a field type it cannot read, so a new flag cannot be silently unreadable
    for flags in FILLED:
        assert parser(type(flags), "prog", None).format_help()
    assert {f.name for f in dataclasses.fields(ServerFlags)} == {"host", "port"}
