"""A continued run's before → after figures on the Evaluate pages, as a small table.

A run trained further from an earlier one (``metadata["continued_from"]``,
``core.jobs.continued``) keeps the earlier model's and its own test figures on the same rows:
all of this run's test rows, and with old + new data, the new data's and the earlier data's
rows alone. :func:`continued_html` puts the headline figure (accuracy; R² for regression) of
each in a three-row table with a verdict that accounts for how many rows it rests on: a
change in accuracy is "beyond chance" only when it exceeds 1.96 standard errors of the
difference of two proportions on that many rows (Newcombe 1998's unpaired normal
approximation: conservative, since both models answer the same rows).
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

#: the headline figure of a task and whether higher is better
HEADLINE = (("accuracy", "Accuracy", True), ("r2", "R²", True))
#: R² changes smaller than this are "about the same" (no test of chance for R²)
SAME_R2 = 0.02


def continued_sentence(run: Any) -> str:
    """The first sentence of ``continued_lines``: where the run came from ("" if not)."""
    from automl_gui.core.jobs.continued import continued_lines

    lines = continued_lines(getattr(run, "metadata", None) or {})
    return lines[0] if lines else ""


def _rows(info: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any], int]]:
    """(what, before, after, test rows) for all of the test rows and each part."""
    items = str(info.get("items") or "rows")
    parts = info.get("parts") or {}
    # with old + new data, all of the test rows are the parts' together ("rows" counts the
    # new data's split)
    counted = [int(p.get("test_rows") or 0) for p in parts.values() if isinstance(p, dict)]
    total = sum(counted) if counted and all(counted) else 0
    total = total or int((info.get("rows") or {}).get("test") or 0)
    everything = f"All test {items}" if parts else f"The new data's test {items}"
    out = [(everything, info.get("test_before") or {}, info.get("test_after") or {}, total)]
    for part, words in (("new", f"New data's test {items}"), ("old", f"Earlier data's {items}")):
        figures = parts.get(part)
        if isinstance(figures, dict):
            out.append(
                (
                    words,
                    figures.get("before") or {},
                    figures.get("after") or {},
                    int(figures.get("test_rows") or 0),
                )
            )
    return out


def change_verdict(metric: str, before: float, after: float, n: int) -> str:
    """ "better", "worse" or "about the same" for a change on ``n`` rows."""
    diff = after - before
    if metric == "accuracy" and n > 0:
        se = math.sqrt(max(before * (1 - before), 0.0) / n + max(after * (1 - after), 0.0) / n)
        beyond = abs(diff) > 1.96 * se if se > 0 else diff != 0
    else:
        beyond = abs(diff) >= SAME_R2
    if not beyond:
        return "about the same"
    return "better" if diff > 0 else "worse"


def continued_html(run: Any) -> str:
    """The before → after table with its verdict (rich text; "" for a run trained from
    scratch or without figures)."""
    info = (getattr(run, "metadata", None) or {}).get("continued_from")
    if not isinstance(info, dict):
        return ""
    rows = _rows(info)
    first = rows[0]
    headline = next(
        ((k, name) for k, name, _ in HEADLINE if isinstance(first[1].get(k), int | float)), None
    )
    if headline is None:
        return ""
    key, name = headline
    cells, verdicts = [], []
    for what, before, after, n in rows:
        b, a = before.get(key), after.get(key)
        if not isinstance(b, int | float) or not isinstance(a, int | float):
            continue
        verdict = change_verdict(key, float(b), float(a), n)
        verdicts.append((what, verdict, n))
        cells.append(
            f"<tr><td>{escape(what)}</td><td align='right'>{n:,}</td>"
            f"<td align='right'>{b:.3f}</td><td align='right'>{a:.3f}</td>"
            f"<td>{escape(verdict)}</td></tr>"
        )
    if not cells:
        return ""
    head = (
        "<tr><th align='left'></th><th align='right'>rows</th>"
        f"<th align='right'>{escape(name)} before</th><th align='right'>after</th>"
        "<th align='left'></th></tr>"
    )
    table = (
        "<table cellspacing='0' cellpadding='3' style='margin-top:2px'>"
        + head
        + "".join(cells)
        + "</table>"
    )
    what, verdict, n = verdicts[1] if len(verdicts) > 1 else verdicts[0]  # the new data first
    chance = (
        "beyond what chance gives"
        if verdict != "about the same"
        else "a change within what chance gives"
    )
    if key != "accuracy":
        chance = "by more than 0.02" if verdict != "about the same" else "a change under 0.02"
    words = f"<b>{verdict.capitalize()}</b> on {escape(what.lower())} ({chance} on {n:,} rows)."
    return table + words
