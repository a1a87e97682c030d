"""Number formatting in the report."""

from __future__ import annotations

import pytest

from harness.report import fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (1.0, "100%"),
        (0.9995, "99.95%"),
        (0.97752, "97.75%"),
        (0.0, "0.00%"),
        (0.99996, "99.996%"),
        (0.999999, "99.999%"),
        (float("nan"), "—"),
    ],
)
def test_ratio(value: float | None, text: str) -> None:
    assert fmt.ratio(value) == text


def test_ms_seconds_counts() -> None:
    assert fmt.ms(1012.64) == "1,012.6 ms"
    assert fmt.ms(None) == "—"
    assert fmt.seconds(4.613) == "4.61 s"
    assert fmt.seconds(None) == "—"
    assert fmt.count(4760) == "4,760"
    assert fmt.at(40.02) == "t+40.02 s"


def test_with_unit() -> None:
    assert fmt.with_unit(0.95, "ratio") == "95.00%"
    assert fmt.with_unit(250, "ms") == "250.0 ms"
    assert fmt.with_unit(3, "s") == "3.00 s"
    assert fmt.with_unit(None, "ms") == "—"


def test_timestamp_and_duration() -> None:
    assert fmt.timestamp("2026-01-29T10:15:00+00:00") == "2026-01-29 10:15:00 UTC"
    assert fmt.timestamp("2026-01-29T11:15:00+01:00") == "2026-01-29 10:15:00 UTC"
    assert fmt.timestamp("yesterday") == "yesterday"
    assert fmt.duration(131.482) == "131.48 s (2 min 11 s)"
    assert fmt.duration(12.0) == "12.00 s"
    assert fmt.scale(0.1) == "0.1×"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (0.0, "$0.00"),
        (0.000412, "$0.000412"),
        (0.00041234, "$0.0004123"),
        (0.096, "$0.096"),
        (0.5, "$0.50"),
        (0.99996, "$1.00"),
        (12.3456, "$12.35"),
        (1234.5, "$1,234.50"),
        (float("nan"), "—"),
    ],
)
def test_money_keeps_four_significant_digits_below_one_unit(value: float | None, text: str) -> None:
    assert fmt.money(value) == text


def test_money_currencies_hourly_and_amounts() -> None:
    assert fmt.money(0.0412, "EUR") == "€0.0412"
    assert fmt.money(0.0412, "CHF") == "0.0412 CHF"
    assert fmt.hourly(0.0359) == "$0.0359/h"
    assert fmt.hourly(1.006) == "$1.006/h"  # list prices keep their third decimal
    assert fmt.hourly(12.0) == "$12.00/h"
    assert fmt.hourly(2.5, "CHF") == "2.50 CHF/h"
    assert fmt.hourly(None) == "—"
    assert fmt.amount(1234.56) == "1,234.6"
    assert fmt.amount(None) == "—"
