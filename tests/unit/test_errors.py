"""The one "did you mean" of the harness."""

from __future__ import annotations

from harness.errors import did_you_mean, suggest


def test_the_closest_name_is_offered() -> None:
    assert did_you_mean("rat", ["rate", "timeout"]) == "did you mean 'rate'?"
    assert did_you_mean("zzz", ["rate", "timeout"]) is None


def test_the_hint_lists_every_known_name_in_its_order() -> None:
    assert suggest("us-east-2", ["us-east-1", "eu-west-1"]) == (
        "did you mean 'us-east-1'? (known: us-east-1, eu-west-1)"
    )
    assert suggest("zzz", ["b", "a"]) == "known: b, a"
    assert suggest("zzz", []) == "known: none"
