"""What the Data page shows about a text dataset: the length histogram, the words that set
each class apart, findings in plain sentences, and example texts per class.

Words are ``str.split()`` tokens, case-folded, with punctuation at their ends removed (Unicode
categories P*: emoji and other symbols stay), so scripts that separate words by spaces work
alike; a script without spaces counts each run of characters as one word.

Distinctive words are ranked by the weighted log-odds ratio with an informative Dirichlet
prior of Monroe, Colaresi and Quinn (2008), "Fightin' Words: Lexical Feature Selection and
Evaluation for Identifying the Content of Political Conflict", Political Analysis 16(4). For
a word w, class c against the rest (y: counts of w, n: counts of all words):

    δ_w = log((y_cw + α_w) / (n_c + α_0 - y_cw - α_w)) - log((y_rw + α_w) / (n_r + α_0 - y_rw - α_w))
    σ²_w ≈ 1 / (y_cw + α_w) + 1 / (y_rw + α_w),      z_w = δ_w / σ_w

with the prior α_w proportional to w's count in the whole dataset (α_0 = ALPHA0). The z-score
discounts rare words that a plain ratio would rank first.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from automl_gui.core.data._textdata_findings import text_key
from automl_gui.core.data._textdata_read import MAX_CHARS

#: the prior's total weight (α_0)
ALPHA0 = 500.0
#: texts counted at most for distinctive words (an evenly spaced subset of bigger datasets)
MAX_TEXTS = 20_000
#: a word must occur at least this often to be called distinctive
MIN_COUNT = 2
HIST_BINS = 20
#: texts of at most this many words are "very short"
SHORT_WORDS = 2
#: findings thresholds: imbalance ratio, share of very short texts, the class-name leak share
IMBALANCE_RATIO = 3.0
SHORT_SHARE = 0.05
LEAK_SHARE = 0.5
FEW_PER_CLASS = 10


@dataclass(frozen=True)
class LengthHistogram:
    """Words per text: ``counts[i]`` texts have between ``edges[i]`` and ``edges[i + 1]``
    words (the last bin includes its right edge); ``by_class`` the counts per class."""

    edges: list[float]
    counts: list[int]
    by_class: dict[str, list[int]]
    median: float
    p95: float
    maximum: int


def words_of(text: str) -> list[str]:
    """The words of a text as the statistics count them (see the module docstring)."""
    out = []
    for token in text.casefold().split():
        word = _strip_punctuation(token)
        if word:
            out.append(word)
    return out


def _strip_punctuation(token: str) -> str:
    start, end = 0, len(token)
    while start < end and unicodedata.category(token[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(token[end - 1]).startswith("P"):
        end -= 1
    return token[start:end]


def length_histogram(dataset: Any, bins: int = HIST_BINS) -> LengthHistogram:
    """The histogram of words per text (bins of whole words, at most ``bins`` of them)."""
    counts = [i.words for i in dataset.items]
    if not counts:
        return LengthHistogram([0.0, 1.0], [0], {}, 0.0, 0.0, 0)
    top = max(counts)
    width = max(1, math.ceil((top + 1) / bins))
    n_bins = max(1, math.ceil((top + 1) / width))
    edges = [float(i * width) for i in range(n_bins + 1)]

    def binned(values: list[int]) -> list[int]:
        out = [0] * n_bins
        for v in values:
            out[min(v // width, n_bins - 1)] += 1
        return out

    by_class = {
        c: binned([i.words for i in dataset.items if i.label == c]) for c in dataset.class_names
    }
    ordered = sorted(counts)
    return LengthHistogram(
        edges=edges,
        counts=binned(counts),
        by_class=by_class,
        median=float(statistics.median(ordered)),
        p95=_percentile(ordered, 95),
        maximum=top,
    )


def _percentile(ordered: list[int], q: float) -> float:
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))


def distinctive_words(dataset: Any, k: int = 10) -> dict[str, list[tuple[str, float]]]:
    """The ``k`` words most typical of each class against the others, with their z-scores
    (weighted log-odds, Monroe et al. 2008; see the module docstring), highest first. Only
    words seen at least MIN_COUNT times and scoring above 0 are listed."""
    items = _subset(list(dataset.items), MAX_TEXTS)
    per_class: dict[str, Counter[str]] = {c: Counter() for c in dataset.class_names}
    for item in items:
        per_class.setdefault(item.label, Counter()).update(words_of(item.text))
    total: Counter[str] = Counter()
    for counter in per_class.values():
        total.update(counter)
    n_total = sum(total.values())
    out: dict[str, list[tuple[str, float]]] = {}
    if not n_total:
        return {c: [] for c in per_class}
    scale = ALPHA0 / n_total
    for label, counter in per_class.items():
        n_c = sum(counter.values())
        n_r = n_total - n_c
        scored = []
        for word, count in total.items():
            if count < MIN_COUNT:
                continue
            y_c = counter.get(word, 0)
            y_r = count - y_c
            alpha = count * scale
            delta = math.log((y_c + alpha) / (n_c + ALPHA0 - y_c - alpha)) - math.log(
                (y_r + alpha) / (n_r + ALPHA0 - y_r - alpha)
            )
            z = delta / math.sqrt(1.0 / (y_c + alpha) + 1.0 / (y_r + alpha))
            if z > 0:
                scored.append((word, z))
        scored.sort(key=lambda ws: (-ws[1], ws[0]))
        out[label] = [(w, round(z, 3)) for w, z in scored[:k]]
    return out


def _subset(items: list[Any], limit: int) -> list[Any]:
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def text_findings(dataset: Any) -> list[str]:
    """Sentences about what may mislead a model: imbalance, classes with few texts, texts
    under two labels, the same text in training and test, a class name inside most of its
    texts (leakage), very short texts, cut and empty texts."""
    items = list(dataset.items)
    if not items:
        return []
    out: list[str] = []
    counts = Counter(i.label for i in items)
    out.extend(_imbalance(counts))
    few = sorted(c for c, n in counts.items() if n < FEW_PER_CLASS)
    if few:
        listed = ", ".join(f"'{c}' ({counts[c]})" for c in few[:5])
        more = " …" if len(few) > 5 else ""
        out.append(
            f"{len(few)} class(es) have fewer than {FEW_PER_CLASS} texts: {listed}{more}. "
            "Results on them will be unreliable; add texts if you can."
        )
    found = getattr(dataset, "findings", {}) or {}
    conflicting = found.get("conflicting_duplicates", 0)
    if conflicting:
        out.append(
            f"{conflicting:,} text(s) appear under two labels or more: a model cannot get "
            "them all right. Check their labels."
        )
    out.extend(_split_leaks(items))
    out.extend(_name_leaks(items, counts))
    short = sum(i.words <= SHORT_WORDS for i in items)
    if short and short >= SHORT_SHARE * len(items):
        out.append(
            f"{short:,} text(s) ({short / len(items):.0%}) have {SHORT_WORDS} words or fewer: "
            "little to learn from; check that the right column holds the texts."
        )
    if found.get("truncated"):
        out.append(
            f"{found['truncated']:,} text(s) are longer than {MAX_CHARS:,} characters and "
            "were cut to that length."
        )
    empty = found.get("empty", 0) + found.get("whitespace", 0)
    if empty:
        out.append(f"{empty:,} empty text(s) were left out.")
    return out


def _imbalance(counts: Counter[str]) -> list[str]:
    (big, n_big), *_ = counts.most_common()
    small, n_small = min(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if len(counts) < 2 or n_big < IMBALANCE_RATIO * n_small:
        return []
    return [
        f"The classes are imbalanced: '{big}' has {n_big:,} texts, '{small}' only "
        f"{n_small:,} ({n_big / n_small:.0f}×). Accuracy flatters the big class; look at "
        "the per-class figures, or weight the classes in training."
    ]


def _split_leaks(items: list[Any]) -> list[str]:
    train = {text_key(i.text) for i in items if i.split == "train"}
    if not train:
        return []
    leaked = Counter(i.split for i in items if i.split != "train" and text_key(i.text) in train)
    leaked.pop(None, None)
    return [
        f"{n:,} {split} text(s) also appear in the training texts: the {split} score "
        "will look better than it is."
        for split, n in sorted(leaked.items())
        if n
    ]


def _name_leaks(items: list[Any], counts: Counter[str]) -> list[str]:
    """Classes whose name appears (as a word) in most of their texts and rarely elsewhere."""
    out = []
    for label, n in counts.items():
        if len(label) < 2:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(label.casefold()) + r"(?!\w)")
        inside = sum(bool(pattern.search(i.text.casefold())) for i in items if i.label == label)
        others = len(items) - n
        outside = sum(bool(pattern.search(i.text.casefold())) for i in items if i.label != label)
        share = inside / n
        if share > LEAK_SHARE and (not others or outside / others < share / 2):
            out.append(
                f"The class name '{label}' appears in {share:.0%} of its texts (possible "
                "leakage: a label written into the text). The model may learn the name, not "
                "the content; remove it from the texts if it will not be there in use."
            )
    return out


def examples(dataset: Any, label: str | None, contains: str = "", limit: int = 50) -> list[Any]:
    """Up to ``limit`` items of class ``label`` (any class for None) whose text contains
    ``contains`` (case-insensitive; any text for ""), in the dataset's order."""
    needle = contains.casefold()
    out = []
    for item in dataset.items:
        if label is not None and item.label != label:
            continue
        if needle and needle not in item.text.casefold():
            continue
        out.append(item)
        if len(out) >= limit:
            break
    return out
