"""Protocol `http-json`: any JSON API, described by a request template and a path to the answer.

Settings::

    protocol:
      kind: http-json
      path: /api/score?v=2                       # POSTed to, query and all
      request: {"instances": "{rows}", "columns": "{features}"}
      prediction: outputs[0].data                # where the predictions are in the answer
      health: /health                            # GET, answers health.status when ready

In `request`, a string that is exactly "{rows}" becomes the rows (a list of lists of numbers),
"{row}" the one row of the request (load.batch_size must then be 1) and "{features}" the
feature names. `prediction` is a small path: keys separated by dots, `[i]` an index and `[*]`
every element; the value found is a list of one prediction per row (a single value for a
single row). With the settings above the request and answer may be::

    POST /api/score?v=2
    {"instances": [[17.99, 10.38, ...]], "columns": ["mean radius", ...]}

    {"outputs": [{"data": [1]}]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator

from harness.protocols.base import (
    JSON_HEADERS,
    Decoded,
    DecodeError,
    Encoded,
    ProtocolSpec,
    check_status,
    dumps,
    parse_json,
    predictions_of,
    register_protocol,
    type_name,
)

ROWS, ROW, FEATURES = "{rows}", "{row}", "{features}"
_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+|\*)\]")
Step = str | int  # a key, an index, or -1 for every element


def parse_path(text: str) -> tuple[Step, ...]:
    """The steps of a prediction path (`outputs[0].data`); ValueError naming the bad part."""
    body = text.strip().removeprefix("$")
    steps: list[Step] = []
    pos = 0
    while pos < len(body):
        m = _STEP.match(body, pos)
        if m is None or (m.group(1) is not None and pos > 0 and body[pos] != "."):
            raise ValueError(
                f"bad path {text!r} at {body[pos:]!r}: use keys with dots, [i] and [*], "
                "e.g. 'outputs[0].data'"
            )
        key, index = m.groups()
        steps.append(key if key is not None else (-1 if index == "*" else int(index)))
        pos = m.end()
    if not steps:
        raise ValueError("the path is empty: name where the predictions are, e.g. 'predictions'")
    return tuple(steps)


def read_path(doc: Any, steps: Sequence[Step]) -> list[Any]:
    """Every value the path reaches in `doc`; DecodeError naming the step that fails."""
    values, where = [doc], "answer"
    for step in steps:
        nxt: list[Any] = []
        for v in values:
            if isinstance(step, str):
                if not isinstance(v, dict) or step not in v:
                    raise DecodeError(f"{where} has no {step!r} ({type_name(v)})")
                nxt.append(v[step])
            elif not isinstance(v, list):
                raise DecodeError(f"{where} is {type_name(v)}, not a list")
            elif step == -1:
                nxt.extend(v)
            elif step >= len(v):
                raise DecodeError(f"{where} has {len(v)} element(s), no [{step}]")
            else:
                nxt.append(v[step])
        values = nxt
        where += f".{step}" if isinstance(step, str) else f"[{'*' if step == -1 else step}]"
    return values


@register_protocol
class HttpJsonProtocol(ProtocolSpec):
    """Any JSON API: `POST {path}` with `request` filled in, predictions at `prediction`."""

    kind: Literal["http-json"] = "http-json"
    path: str = Field(description="the path requests are POSTed to (a query may follow)")
    request: Any = Field(
        default_factory=lambda: {"rows": ROWS},
        description='the request body: "{rows}", "{row}" and "{features}" are replaced',
    )
    prediction: str = Field("predictions", description="where the predictions are in the answer")
    health: str = Field("/readyz", description="the health path (GET)")

    @field_validator("path", "health")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"{value!r} must start with '/'")
        return value

    @field_validator("prediction")
    @classmethod
    def _path(cls, value: str) -> str:
        parse_path(value)
        return value

    @property
    def one_row(self) -> bool:
        """True when the template sends one row ("{row}"): one request per row."""
        return ROW in json.dumps(self.request)

    def default_health_path(self) -> str:
        """The `health` setting."""
        return self.health

    def request_path(self) -> str:
        """The `path` setting."""
        return self.path

    def encode(self, rows: npt.NDArray[np.float32], features: Sequence[str]) -> Encoded:
        """The template with rows, row and features put in."""
        values = {ROWS: rows.tolist(), FEATURES: list(features)}
        if len(rows):
            values[ROW] = values[ROWS][0]
        return Encoded(self.path, dumps(_fill(self.request, values)), JSON_HEADERS)

    def decode(self, status: int, body: bytes, n_rows: int) -> Decoded:
        """The values at `prediction`: a list of n, or one value for one row."""
        check_status(status, body)
        steps = parse_path(self.prediction)
        found = read_path(parse_json(body), steps)
        many = -1 in steps
        values = found if many else found[0]
        if not many and n_rows == 1 and not isinstance(values, list):
            values = [values]
        elif not many and n_rows == 1 and values and not isinstance(values[0], list):
            # one row answered with a probability vector, or with a one-element list
            values = [values] if len(values) > 1 else values
        return Decoded(predictions_of(values, n_rows, repr(self.prediction)))


def _fill(template: Any, values: dict[str, Any]) -> Any:
    if isinstance(template, str):
        return values.get(template, template)
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    return template
