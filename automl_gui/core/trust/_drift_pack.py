"""Numbers of a drift reference packed small: an array as base64 of its little-endian bytes
(``{"dtype": "<f4", "shape": [...], "data": "..."}``). ``metadata.json`` is written with an
indent, where a list of 10,000 numbers takes ~17 characters each; packed, a float32 takes
5.3 and a float16 2.7."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

#: what may be packed (little-endian floats); anything else is refused on reading
DTYPES = ("<f2", "<f4")


def pack(values: Any, dtype: str = "<f4") -> dict[str, Any]:
    """``values`` as a JSON-ready dict of ``dtype`` (one of :data:`DTYPES`)."""
    array = np.ascontiguousarray(np.asarray(values, dtype=dtype))
    return {
        "dtype": dtype,
        "shape": [int(s) for s in array.shape],
        "data": base64.b64encode(array.tobytes()).decode("ascii"),
    }


def unpack(packed: Any) -> np.ndarray:
    """The float64 array :func:`pack` packed.

    Raises:
        ValueError: not a packed array of ours (damaged metadata).
    """
    if not isinstance(packed, dict) or packed.get("dtype") not in DTYPES:
        raise ValueError("not a packed array")
    shape = [int(s) for s in packed.get("shape", [])]
    raw = base64.b64decode(str(packed.get("data", "")), validate=True)
    array = np.frombuffer(raw, dtype=packed["dtype"])
    if array.size != int(np.prod(shape, dtype=np.int64)):
        raise ValueError("packed array of the wrong size")
    return array.reshape(shape).astype("float64")
