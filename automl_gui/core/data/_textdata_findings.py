"""What loading texts found, counted: repeated texts, texts with two labels, truncated and
empty texts; the notices that tell it, and the refusals (one class, too few per class).

Texts are compared with their whitespace normalised (``" ".join(text.split())``): the same
words spaced or wrapped differently are one text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from automl_gui.core.base.errors import DataError

#: the fewest examples of a class: one to train on and one to check it with
MIN_PER_CLASS = 2
_EXAMPLES = 3
_SNIPPET = 40

#: finding → (singular sentence subject, what was done); order is the notices' order
FINDING_WORDS = {
    "empty": "empty text(s) were left out",
    "whitespace": "text(s) holding only spaces or line breaks were left out",
    "no_label": "text(s) without a label were left out",
    "undecodable": "file(s) are not text and were left out",
    "truncated": "text(s) longer than {max_chars:,} characters were cut to that length",
    "duplicates": "text(s) repeat an earlier text with the same label; each was kept once",
}


def text_key(text: str) -> str:
    """The text with its whitespace normalised: what makes two texts the same."""
    return " ".join(text.split())


def snippet(text: str, limit: int = _SNIPPET) -> str:
    """The start of a text on one line, for a notice."""
    flat = text_key(text)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def drop_duplicates(items: Sequence[Any]) -> tuple[list[Any], int, list[tuple[str, list[str]]]]:
    """``items`` without repeats of an earlier item's text and label (the first is kept).

    Returns (kept, repeats dropped, conflicts): ``conflicts`` lists each text found under
    more than one label with its labels (all its items are kept: which label is right is the
    user's call, and the notice says so).
    """
    seen: set[tuple[str, str]] = set()
    labels: dict[str, list[str]] = {}
    kept = []
    repeats = 0
    for item in items:
        key = text_key(item.text)
        if (key, item.label) in seen:
            repeats += 1
            continue
        seen.add((key, item.label))
        labels.setdefault(key, []).append(item.label)
        kept.append(item)
    conflicts = [(key, names) for key, names in labels.items() if len(names) > 1]
    return kept, repeats, conflicts


def finding_notices(
    findings: dict[str, int], conflicts: list[tuple[str, list[str]]], max_chars: int
) -> list[str]:
    """Sentences for the counted findings (zero counts say nothing)."""
    notices = []
    for key, words in FINDING_WORDS.items():
        n = findings.get(key, 0)
        if n:
            notices.append(f"{n:,} {words.format(max_chars=max_chars)}.")
    if conflicts:
        listed = "; ".join(
            f"'{snippet(text)}' as " + " and ".join(f"'{label}'" for label in names)
            for text, names in conflicts[:_EXAMPLES]
        )
        more = " …" if len(conflicts) > _EXAMPLES else ""
        notices.append(
            f"{len(conflicts):,} text(s) appear with different labels ({listed}{more}); "
            "each is kept once per label. Check their labels: a text cannot be both."
        )
    return notices


def require_classes(items: Sequence[Any], where: str, label_column: str | None) -> None:
    """DataError unless there are two classes or more, each with MIN_PER_CLASS texts."""
    counts = Counter(i.label for i in items)
    if not counts:
        raise DataError(
            f"'{where}' holds no usable texts: every text is empty or left out.",
            "Check that the text column (or the .txt files) holds the texts, then open it again.",
        )
    if len(counts) == 1:
        ((only, n),) = counts.items()
        fix = (
            f"check that the column '{label_column}' holds each text's class"
            if label_column
            else "put the texts of each class in its own subfolder"
        )
        raise DataError(
            f"Only one class was found in '{where}': '{only}' ({n:,} usable texts).",
            f"A classifier needs at least two classes: {fix}.",
        )
    few = sorted((c for c, n in counts.items() if n < MIN_PER_CLASS), key=str)
    if few:
        listed = ", ".join(f"'{c}' ({counts[c]:,})" for c in few[:5])
        more = f" and {len(few) - 5:,} more" if len(few) > 5 else ""
        raise DataError(
            f"{len(few):,} class(es) of '{where}' have fewer than {MIN_PER_CLASS} usable "
            f"texts: {listed}{more}.",
            "Each class needs at least two texts (one to train on, one to check the model "
            "with): add texts of those classes, merge them into others, or remove them.",
        )
