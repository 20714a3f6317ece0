"""Find a value too long to read in a delimited text file, before parsing it.

A single value of hundreds of megabytes (a whole file pasted into one cell, a column of
base64 data) is parsed into memory several times over, then profiled and encoded: a 200 MB
cell has cost 9.5 GB. :func:`oversized_cell` looks at the raw bytes first: lines are found
with NumPy (a fraction of the parse time), and only a line longer than the bound is split
at its delimiters. A value holding delimiters or line breaks inside quotes is measured in
pieces, so it may pass; a line of many ordinary values is never refused.
"""

from __future__ import annotations

import os

import numpy as np

from automl_gui.core.data._file_guard import MAX_CELL_BYTES

_CHUNK = 16 << 20  # bytes looked at per step (memory stays flat)


def oversized_cell(
    path: str | os.PathLike[str], delimiter: str, limit: int = MAX_CELL_BYTES
) -> tuple[int, int, int] | None:
    """``(line number, field index, bytes)`` of the first value over ``limit`` bytes in the
    file (line numbers from 1, fields from 0), or None."""
    try:
        code = delimiter.encode("ascii")
    except UnicodeEncodeError:
        code = b""
    delim = code[0] if len(code) == 1 else None
    last, lines, offset = -1, 0, 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            ends = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10) + offset
            if len(ends):
                starts = np.concatenate(([last], ends[:-1]))
                for k in np.flatnonzero(ends - starts - 1 > limit):
                    found = _in_line(path, int(starts[k]) + 1, int(ends[k]), delim, limit)
                    if found is not None:
                        return lines + int(k) + 1, *found
                last = int(ends[-1])
                lines += len(ends)
            offset += len(chunk)
    if offset - last - 1 > limit:  # the last line, without a line break after it
        found = _in_line(path, last + 1, offset, delim, limit)
        if found is not None:
            return lines + 1, *found
    return None


def _in_line(
    path: str | os.PathLike[str], begin: int, end: int, delim: int | None, limit: int
) -> tuple[int, int] | None:
    """``(field index, bytes)`` of the first value over ``limit`` in bytes [begin, end)."""
    previous, field, at = begin - 1, 0, begin
    with open(path, "rb") as fh:
        fh.seek(begin)
        while at < end:
            chunk = fh.read(min(_CHUNK, end - at))
            if not chunk:
                break
            if delim is not None:
                found = np.flatnonzero(np.frombuffer(chunk, np.uint8) == delim) + at
                if len(found):
                    sizes = found - np.concatenate(([previous], found[:-1])) - 1
                    over = np.flatnonzero(sizes > limit)
                    if len(over):
                        return field + int(over[0]), int(sizes[over[0]])
                    previous, field = int(found[-1]), field + len(found)
            at += len(chunk)
    size = end - previous - 1
    return (field, size) if size > limit else None
