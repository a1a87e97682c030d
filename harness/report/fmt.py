"""Number and time formatting for the report: ratios as %, ms, seconds, None as a dash."""

from __future__ import annotations

import datetime as dt
import math

DASH = "—"


def ratio(value: float | None) -> str:
    """Format a 0–1 ratio as a percentage with 2 decimals (3 when 2 would round to 100%)."""
    if value is None or math.isnan(value):
        return DASH
    pct = value * 100
    text = f"{pct:.2f}"
    if text == "100.00" and value < 1.0:
        text = f"{math.floor(pct * 1000) / 1000:.3f}"  # 99.9996 must not read as 100.00
    elif value == 1.0:
        text = "100"
    return f"{text}%"


def ms(value: float | None) -> str:
    """Format milliseconds with one decimal."""
    return DASH if value is None or math.isnan(value) else f"{value:,.1f} ms"


def seconds(value: float | None) -> str:
    """Format seconds with two decimals."""
    return DASH if value is None or math.isnan(value) else f"{value:,.2f} s"


def at(value: float | None) -> str:
    """Format a time since run start, e.g. 't+40.02 s'."""
    return DASH if value is None else f"t+{value:,.2f} s"


def count(value: int | None) -> str:
    """Format a count with thousands separators."""
    return DASH if value is None else f"{value:,}"


def with_unit(value: float | None, unit: str) -> str:
    """Format a value in an SLO unit: 'ratio', 'ms' or 's' (anything else as a plain number)."""
    if unit == "ratio":
        return ratio(value)
    if unit == "ms":
        return ms(value)
    if unit == "s":
        return seconds(value)
    return DASH if value is None else f"{value:g} {unit}".strip()


def timestamp(iso: str) -> str:
    """Format an ISO 8601 time as 'YYYY-MM-DD HH:MM:SS UTC' (unparseable text is kept)."""
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
        return f"{when:%Y-%m-%d %H:%M:%S} UTC"
    return f"{when:%Y-%m-%d %H:%M:%S}"


def duration(value: float) -> str:
    """Format a run duration: seconds with 2 decimals, plus minutes when it is long."""
    text = seconds(value)
    if value >= 90:
        minutes, secs = divmod(value, 60)
        text += f" ({int(minutes)} min {secs:.0f} s)"
    return text


def scale(value: float) -> str:
    """Format a time scale factor, e.g. '1×' or '0.1×'."""
    return f"{value:g}×"


CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
MONEY_DIGITS = 4  # significant digits below one unit: short runs cost fractions of a cent


def money(value: float | None, currency: str = "USD") -> str:
    """Format an amount of money: 2 decimals from one unit up, else 4 significant digits.

    '$1,234.50', '$0.0961', '$0.50', '$0.000412': trailing zeros past 2 decimals are dropped.
    A currency without a symbol is written after the amount ('0.0412 CHF').
    """
    if value is None or math.isnan(value):
        return DASH
    magnitude = abs(value)
    text = f"{magnitude:,.2f}"
    if 0 < magnitude < 1:
        decimals = MONEY_DIGITS - 1 - math.floor(math.log10(magnitude))
        small = f"{magnitude:.{decimals}f}"
        if float(small) < 1:  # 0.99996 rounds up to one unit: 2 decimals then
            whole, frac = small.split(".")
            text = f"{whole}.{frac[:2]}{frac[2:].rstrip('0')}"
    sign = "-" if value < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def hourly(value: float | None, currency: str = "USD") -> str:
    """Format a price per hour as price lists do, e.g. '$0.096/h', '$1.006/h', '$12.00/h'."""
    if value is None or math.isnan(value):
        return DASH
    if 1 <= abs(value) < 100:  # list prices carry a third decimal ($1.006/h): keep it
        whole, frac = f"{value:.3f}".split(".")
        frac = frac[:2] + frac[2:].rstrip("0")
        symbol = CURRENCY_SYMBOLS.get(currency)
        text = f"{whole}.{frac}"
        return f"{symbol}{text}/h" if symbol else f"{text} {currency}/h"
    return f"{money(value, currency)}/h"


def amount(value: float | None, decimals: int = 1) -> str:
    """Format a plain quantity with thousands separators, e.g. instance-seconds '1,234.5'."""
    return DASH if value is None or math.isnan(value) else f"{value:,.{decimals}f}"
