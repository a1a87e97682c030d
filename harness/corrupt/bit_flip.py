"""Kind `bit_flip`: flip distinct random bits of a stored object (silent data corruption).

| severity | bits |
|---|---|
| 1 | 1 |
| 2 | 4 |
| 3 | 16 |
| 4 | 64 |
| 5 | 256 |

min(bits, 8·len) distinct bit positions are drawn uniformly over the object and each is
inverted, so the XOR of input and output has exactly that many set bits. The ladder is absolute
(a count, not a rate), as silent data corruption is: one flipped bit is severity 1 whatever the
size. Empty input stays empty. A flip in a text record may leave valid UTF-8 (a flipped low bit
of an ASCII letter); for invalid UTF-8 use `encoding_garbage` at severity 5 or `truncate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from harness.corrupt.base import (
    BytesCorruption,
    Param,
    SeverityTable,
    ladder,
    register_corruption,
)

_BITS = {1: 1, 2: 4, 3: 16, 4: 64, 5: 256}


@register_corruption("bit_flip")
class BitFlip(BytesCorruption):
    """Invert random bits."""

    severity_table: ClassVar[SeverityTable] = ladder(bits=_BITS)

    def apply(self, data: bytes, params: Mapping[str, Param], rng: np.random.Generator) -> bytes:
        """Return `data` with the documented number of bits inverted."""
        total = len(data) * 8
        count = min(int(params["bits"]), total)
        if count == 0:
            return bytes(data)
        positions = rng.choice(total, size=count, replace=False)
        arr = np.frombuffer(data, dtype=np.uint8).copy()
        bits = np.left_shift(1, positions % 8).astype(np.uint8)
        # Positions are distinct, but several may share a byte: `.at` applies every one of them.
        np.bitwise_xor.at(arr, positions // 8, bits)
        return arr.tobytes()
