"""Kind `encoding_garbage`: turn cells of selected rows into garbled text (JENGA `BrokenCharacters`, mojibake).

| severity | fraction | style |
|---|---|---|
| 1 | 0.05 | broken |
| 2 | 0.1 | broken |
| 3 | 0.2 | mojibake |
| 4 | 0.35 | mojibake |
| 5 | 0.5 | mojibake+fffd |

A touched cell becomes a string: text as it is, a number as its shortest repr (`1.5`). Styles:
- `broken` maps a/A/e/E/o/O/u/U to á/Á/é/É/ớ/Ớ/ú/Ú (JENGA); text without those letters, such
  as a number, gets one character replaced by U+FFFD, so every touched cell changes and no
  touched number still parses (`12.5` → `1�.5`).
- `mojibake` then encodes the text as UTF-8 and decodes it as cp1252 (`é` → `Ã©`, `�` → `ï¿½`).
- `mojibake+fffd` also inserts one U+FFFD at a random place, as a decoder that gave up would.

Every style stays valid Unicode on purpose: the harness's own serializers (`json.dumps`,
`DataFrame.to_json`, HTTP clients) must never fail on a corrupted record. To put invalid UTF-8
on the wire, corrupt the serialized bytes instead: a `bit_flip` of a high bit in an ASCII record
leaves one byte ≥ 0x80 among ASCII, never valid UTF-8, and `truncate` can cut a multi-byte
character. Rows are picked per column by the `mechanism`; missing cells stay missing; touched
columns become object dtype. Default columns: every column but the label.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from harness.corrupt.base import ROW_FRACTION, FrameJob, SeverityTable, ladder, register_corruption
from harness.corrupt.cells import CellCorruption

_STYLE = {1: "broken", 2: "broken", 3: "mojibake", 4: "mojibake", 5: "mojibake+fffd"}
_BROKEN = str.maketrans("aAeEoOuU", "áÁéÉớỚúÚ")


@register_corruption("encoding_garbage")
class EncodingGarbage(CellCorruption):
    """Garble cells as a wrong encoding would."""

    severity_table: ClassVar[SeverityTable] = ladder(fraction=ROW_FRACTION, style=_STYLE)

    def corrupt_column(self, src: pd.Series, rows: np.ndarray, job: FrameJob) -> pd.Series:
        """Garble the selected non-missing cells."""
        values = src.to_numpy(dtype=object, copy=True)
        # Text from the native scalars: a numpy float32 prints `1.1`, a Python float `1.100000023841858`.
        native = src.to_numpy()
        style = str(job.params["style"])
        for i in np.flatnonzero(rows & src.notna().to_numpy()):
            values[i] = garble(str(native[i]), style, job.rng)
        return pd.Series(values, index=src.index, name=src.name, dtype=object)


def garble(text: str, style: str, rng: np.random.Generator) -> str:
    """Return `text` garbled in the given style (broken, mojibake, mojibake+fffd)."""
    out = text.translate(_BROKEN)
    if out == text:
        at = int(rng.integers(0, len(text))) if text else 0
        out = text[:at] + "\ufffd" + text[at + 1 :]
    if style.startswith("mojibake"):
        out = out.encode("utf-8").decode("cp1252", errors="replace")
    if style.endswith("+fffd"):
        at = int(rng.integers(0, len(out) + 1))
        out = out[:at] + "\ufffd" + out[at:]
    return out
