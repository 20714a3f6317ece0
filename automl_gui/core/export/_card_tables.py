"""What a table model's card says about its inputs (the table kind's model-card text).

Kept apart from ``model_card`` because it is the table kind's: ``kinds.tabular`` asks it,
and ``model_card`` asks the kind.
"""

from __future__ import annotations

from typing import Any

#: input columns named one by one on the card (a wide table lists the rest as a count)
MAX_LISTED = 50


def grouped_inputs(metadata: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """A wide table's grouped numeric inputs: (input name, its columns in index order)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for c in (metadata.get("input_schema") or {}).get("columns", []):
        if c.get("index") is not None:
            groups.setdefault(str(c["input_name"]), []).append((int(c["index"]), str(c["name"])))
    return [(name, [n for _, n in sorted(cols)]) for name, cols in groups.items()]


def _has_single(metadata: dict[str, Any]) -> bool:
    columns = (metadata.get("input_schema") or {}).get("columns", [])
    return any(c.get("index") is None for c in columns)


def listed(names: list[str]) -> str:
    """The first :data:`MAX_LISTED` names, then how many more."""
    more = f" and {len(names) - MAX_LISTED:,} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def flags_text(metadata: dict[str, Any], name: str, columns: list[str]) -> str:
    """The grouped input's missing indicators, as the stored settings say (the model and
    preprocessing.json hold them too)."""
    config = (metadata.get("preprocess") or {}).get("columns")
    if not isinstance(config, list):
        return f"; {name}__missing: float32 (n, m), 0/1 for the columns listed there, if any"
    flagged = {str(c.get("name")) for c in config if c.get("missing_indicator")}
    chosen = [c for c in columns if c in flagged]
    if not chosen:
        return ""
    return f"; {name}__missing: float32 (n, {len(chosen)}), 0/1 = missing, for {listed(chosen)}"


def group_text(name: str, columns: list[str]) -> str:
    return f"{name}: float32 (n, {len(columns)}), the columns in this order: {listed(columns)}"


def input_text(metadata: dict[str, Any]) -> str:
    """What a table model takes (one tensor per input, or grouped numeric columns)."""
    groups = grouped_inputs(metadata)
    if groups:
        parts = [f"{group_text(n, c)} (NaN = missing)" for n, c in groups]
        if _has_single(metadata):
            parts.append(
                "each category column its own (n, 1) string tensor, stripped of outer spaces "
                "('' = missing)"
            )
        return "; ".join(parts)
    return (
        "one (n, 1) tensor per input of input_schema: numbers as float32 (NaN = missing), "
        "categories as strings stripped of outer spaces ('' = missing)"
    )


def serving_text(metadata: dict[str, Any]) -> str:
    """How to call a table model's SavedModel ``serve`` signature."""
    groups = grouped_inputs(metadata)
    if groups:
        return (
            "Call loaded.serve({input_name: tensor}) with "
            + "; ".join(f"{group_text(n, c)} (NaN = missing)" for n, c in groups)
            + (
                "; each category column its own (n, 1) string tensor ('' = missing) in the "
                "canonical form of input_schema."
                if _has_single(metadata)
                else "."
            )
        )
    return (
        "Call loaded.serve({input_name: tensor (n, 1)}); numbers as float32 (NaN = missing), "
        "categories as strings ('' = missing) in the canonical form of input_schema."
    )


def data_lines(metadata: dict[str, Any]) -> list[str]:
    """The input columns and the target, for the card's "Data" section."""
    lines: list[str] = []
    columns = [c["name"] for c in (metadata.get("input_schema") or {}).get("columns", [])]
    if columns:
        lines.append(f"- Input columns ({len(columns):,}): {listed(columns)}.")
    if metadata.get("target"):
        lines.append(f"- Target column: {metadata['target']}.")
    return lines
