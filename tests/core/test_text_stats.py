"""_text_stats against answers worked out by hand: the length histogram, distinctive words
(weighted log-odds, Monroe et al. 2008), the findings' sentences, and example texts."""

from __future__ import annotations

import pytest

from automl_gui.core.data._text_stats import (
    distinctive_words,
    examples,
    length_histogram,
    text_findings,
    words_of,
)
from automl_gui.core.data.text import TextDataset, TextItem


def _dataset(pairs, splits=None, findings=None):
    items = [
        TextItem(f"/d/t.csv#{n}", label, (splits or {}).get(n), text, len(text.split()))
        for n, (text, label) in enumerate(pairs, start=1)
    ]
    return TextDataset(
        root="/d/t.csv",
        layout="table",
        items=items,
        class_names=sorted({i.label for i in items}),
        findings=findings or {},
    )


def test_words_are_casefolded_and_lose_end_punctuation_only():
    assert words_of("Apple, APPLE! «pie» don't 😀 -- 東京 مرحبا.") == [
        "apple",
        "apple",
        "pie",
        "don't",
        "😀",
        "東京",
        "مرحبا",
    ]


def test_distinctive_words_known_answer():
    ds = _dataset(
        [("apple apple pie", "a"), ("Apple tart.", "a"), ("pie crust", "b"), ("crust crumble", "b")]
    )
    words = distinctive_words(ds, k=5)
    # by hand: n_a = 5, n_b = 4, n = 9, α_0 = 500; 'apple' 3 in a, 0 in b, α = 3·500/9:
    # δ = log(169.67/335.33) - log(166.67/337.33) = 0.02378, σ = 0.10906, z = 0.2181
    assert [w for w, _ in words["a"]] == ["apple"]
    assert words["a"][0][1] == pytest.approx(0.2181, abs=1e-3)
    # 'crust' only in b; 'pie' once in each class leans to b, whose texts are shorter
    assert [w for w, _ in words["b"]] == ["crust", "pie"]
    assert words["b"][0][1] > words["b"][1][1] > 0
    # words seen once ('tart', 'crumble') are never distinctive
    assert distinctive_words(_dataset([("x", "a"), ("y", "b")])) == {"a": [], "b": []}


def test_length_histogram_known_answer():
    ds = _dataset([("one", "a"), ("one two", "a"), ("a b c d e", "b"), ("w " * 41, "b")])
    h = length_histogram(ds, bins=4)
    assert h.edges == [0.0, 11.0, 22.0, 33.0, 44.0]  # ceil(42 / 4) = 11 words a bin
    assert h.counts == [3, 0, 0, 1]
    assert h.by_class == {"a": [2, 0, 0, 0], "b": [1, 0, 0, 1]}
    assert (h.median, h.maximum) == (3.5, 41)
    assert h.p95 == pytest.approx(5 + 0.85 * 36)
    empty = length_histogram(_dataset([]))
    assert empty.counts == [0] and empty.maximum == 0


def test_findings_imbalance_few_short_conflicts_truncated_empty():
    pairs = [(f"a long enough text number {i}", "big") for i in range(12)]
    pairs += [("tiny", "small"), ("ok then", "small"), ("some more words here", "small")]
    ds = _dataset(pairs, findings={"conflicting_duplicates": 2, "truncated": 1, "empty": 3})
    found = text_findings(ds)
    joined = "\n".join(found)
    assert "'big' has 12 texts, 'small' only 3 (4×)" in joined
    assert "1 class(es) have fewer than 10 texts: 'small' (3)" in joined
    assert "2 text(s) appear under two labels" in joined
    assert "2 text(s) (13%) have 2 words or fewer" in joined
    assert "1 text(s) are longer than 20,000 characters" in joined
    assert "3 empty text(s) were left out" in joined
    balanced = _dataset([(f"text number {i} about it", "ab"[i % 2]) for i in range(40)])
    assert text_findings(balanced) == []


def test_findings_leakage_class_name_in_its_texts():
    pairs = [(f"Spam offer {i}: win money now", "spam") for i in range(10)]
    pairs += [(f"meeting notes {i} for the team", "ham") for i in range(10)]
    joined = "\n".join(text_findings(_dataset(pairs)))
    assert "The class name 'spam' appears in 100% of its texts" in joined
    assert "'ham'" not in joined  # 'ham' is not a word of 'the team'
    # a name common to every class is no leak
    pairs = [(f"spam and ham {i} here", "ab"[i % 2]) for i in range(20)]
    pairs += [(f"about spam {i} here", "spam") for i in range(10)]
    pairs += [(f"about spam {i} there", "x") for i in range(10)]
    assert not any("class name" in f for f in text_findings(_dataset(pairs)))


def test_findings_same_text_in_train_and_test():
    pairs = [(f"some text number {i} here", "ab"[i % 2]) for i in range(20)]
    pairs += [("some text number 3  here", "b"), ("some text number 4 here", "a")]
    splits = {n: "train" for n in range(1, 21)} | {21: "test", 22: "validation"}
    joined = "\n".join(text_findings(_dataset(pairs, splits)))
    assert "1 test text(s) also appear in the training texts" in joined
    assert "1 validation text(s) also appear" in joined


def test_examples_filter_by_class_and_substring():
    ds = _dataset([("Le Café est bon", "fr"), ("cafe latte", "en"), ("Un CAFÉ noir", "fr")])
    assert [i.text for i in examples(ds, "fr", contains="café")] == [
        "Le Café est bon",
        "Un CAFÉ noir",
    ]
    assert [i.text for i in examples(ds, None, contains="cafe")] == ["cafe latte"]
    assert len(examples(ds, None, limit=2)) == 2
    assert examples(ds, "fr", contains="zzz") == []
