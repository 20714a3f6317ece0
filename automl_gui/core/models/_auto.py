"""What Auto picks for a table network's numeric embedding, bins and ensemble members.

Chosen by measurement (``benchmarks/tab_defaults.py``); the figures are in :func:`auto_members`.
"""

from __future__ import annotations

#: numeric columns from which Auto leaves numbers unembedded and builds one network: a wide
#: table's grouped vector (``preprocess._build.GROUP_NUMERIC_FROM``) times the bins, or times
#: the members, would make the first layer huge
AUTO_EMBED_UP_TO = 99


def auto_embedding(n_rows: int, n_numeric: int) -> str:
    """Piecewise-linear encoding for tables with a few to a hundred numeric columns."""
    del n_rows
    return "piecewise" if 0 < n_numeric <= AUTO_EMBED_UP_TO else "none"


def auto_bins(n_rows: int) -> int:
    """Quantile bins per numeric column: at least ~40 training rows a bin, 4 to 48 bins
    (fewer still where a column has fewer distinct values)."""
    return int(min(48, max(4, n_rows // 40)))


def auto_members(n_rows: int, n_numeric: int) -> int:
    """Efficient-ensemble members; one network on a wide table (from
    ``AUTO_EMBED_UP_TO + 1`` numeric columns): each member runs the first layer on its own
    copy of the inputs, k times the cost of the widest layer."""
    del n_rows
    return 8 if n_numeric <= AUTO_EMBED_UP_TO else 1
