"""Command-line flags written once: a service's flags dataclass is its parser and its argv.

Each service declares one frozen dataclass of the flags it takes: a field `drain_grace_s` is
`--drain-grace-s`, its annotation is the type (`Annotated[..., Flag(...)]` adds a help text,
choices or a parser), a field without a default is a required flag. The service builds its
argparse from the class (`parser`), and whoever starts it (the harness) renders an instance
to arguments (`argv`), so the two sides cannot name or format a flag differently.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NamedTuple

__all__ = ["Flag", "RegionUrl", "ServerFlags", "argv", "parser"]


@dataclass(frozen=True)
class Flag:
    """How one field reads on the command line, beyond its name, type and default."""

    help: str | None = None
    choices: tuple[str, ...] | None = None
    parse: Callable[[str], Any] | None = None  # text → value; default: the field's type
    metavar: str | None = None


class RegionUrl(NamedTuple):
    """A `REGION=URL` argument: another region's object store."""

    region: str
    url: str

    def __str__(self) -> str:
        return f"{self.region}={self.url}"

    @classmethod
    def parse(cls, text: str) -> RegionUrl:
        """Parse `REGION=URL` (an argparse type)."""
        region, sep, url = text.partition("=")
        if not sep or not region or not url:
            raise argparse.ArgumentTypeError(f"expected REGION=URL, got {text!r}")
        return cls(region, url)


@dataclass(frozen=True, kw_only=True)
class ServerFlags:
    """Where a service listens: every service takes these (the backend passes them)."""

    host: str = "127.0.0.1"
    port: Annotated[int, Flag("0 picks a free port (see ready line)")] = 0


def parser(cls: type[ServerFlags], prog: str, description: str | None) -> argparse.ArgumentParser:
    """An argparse parser taking every flag of `cls`, with its type, default and help."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    hints = typing.get_type_hints(cls, include_extras=True)
    for f in dataclasses.fields(cls):
        _add(p, f, hints[f.name])
    return p


def argv(flags: ServerFlags) -> tuple[str, ...]:
    """The arguments that give a service `flags`: each flag that differs from its default.

    Repeated flags (a tuple field) are given once per item, booleans as `--x` / `--no-x`.
    """
    out: list[str] = []
    for f in dataclasses.fields(flags):
        value = getattr(flags, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        name = _option(f.name)
        if isinstance(value, bool):
            out.append(name if value else f"--no-{name[2:]}")
        elif isinstance(value, tuple) and not isinstance(value, RegionUrl):
            for item in value:
                out += [name, _text(item)]
        elif value is not None:
            out += [name, _text(value)]
    return tuple(out)


def _option(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")


def _text(value: object) -> str:
    if isinstance(value, float):
        short = f"{value:g}"  # 0.5, not 0.5000; but never at the cost of precision
        return short if float(short) == value else repr(value)
    return str(value)


def _add(p: argparse.ArgumentParser, f: dataclasses.Field[Any], hint: Any) -> None:
    kind, flag = _unwrap(hint)
    kwargs: dict[str, Any] = {"help": flag.help}
    if f.default is dataclasses.MISSING:
        kwargs["required"] = True
    else:
        kwargs["default"] = f.default
    if flag.choices is not None:
        kwargs["choices"] = flag.choices
    if flag.metavar is not None:
        kwargs["metavar"] = flag.metavar
    if kind is bool:
        kwargs["action"] = argparse.BooleanOptionalAction
    elif typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        # argparse appends to its default: a fresh list, never the field's own tuple
        kwargs.update(action="append", default=list(kwargs.get("default", ())))
        kwargs["type"] = flag.parse or _parse(item)
    else:
        kwargs["type"] = flag.parse or _parse(kind)
    p.add_argument(_option(f.name), **kwargs)


def _unwrap(hint: Any) -> tuple[Any, Flag]:
    """(the value's type without `| None`, its Flag) of a field's annotation."""
    flag = Flag()
    if typing.get_origin(hint) is Annotated:
        hint, *extras = typing.get_args(hint)
        flag = next((e for e in extras if isinstance(e, Flag)), flag)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    return hint, flag


def _parse(kind: Any) -> Callable[[str], Any]:
    if kind is RegionUrl:
        return RegionUrl.parse
    if kind in (str, int, float, Path):
        return typing.cast(Callable[[str], Any], kind)
    raise TypeError(f"no parser for a flag of type {kind!r}: give Flag(parse=...)")
