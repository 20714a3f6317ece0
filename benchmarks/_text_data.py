"""Labelled text for the text benchmarks: real corpora found offline, and generators.

Real (no network; each loader says where its text comes from):

- ``chat_languages``: which language a chat line is in, 17 languages in 9 scripts (Persian,
  Japanese, Korean, Chinese in simplified and traditional characters, Ukrainian, Bengali...)
  from the ``chatterbot-corpus`` package (BSD licence, a benchmark dependency:
  ``pip install chatterbot-corpus``). Chinese and Japanese are written without spaces.
- ``chat_topics``: the topic file (ai, coding, emotion, trivia...) an English chat line of the
  same package comes from: short, conversational, hard.
- ``python_docs``: which family of Python's standard library (e-mail, networking, files,
  concurrency, GUI, testing...) a docstring belongs to; read with ``ast`` from the running
  Python's own ``.py`` files, nothing imported.

Generated (seeded, realistic difficulty):

- ``topic_mix``: documents mixing a dominant topic with a second one and a shared Zipfian
  background vocabulary; topics share words; 5 % label noise.
- ``long_docs``: long documents (median ~600 words) where only the words' frequencies tell
  the class and word order carries nothing (bag-of-words territory).
- ``negation``: short reviews whose every word is as frequent in both classes; only which
  words stand together ("not good", "never really bad") tells the sentiment (bigrams
  territory; many samples, few words: the sequence side of Google's rule).

Each loader returns a :class:`TextSet` with one fixed stratified split (:func:`stratified_split`)
shared by the baselines and the app; :func:`write_jsonl` writes it as the JSON Lines table the
app reads (fields ``text``, ``label``, ``split``).
"""

from __future__ import annotations

import ast
import json
import random
import re
import sysconfig
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SEED = 0
FRACTIONS = (0.7, 0.15, 0.15)  # train, validation, test


@dataclass
class TextSet:
    """One labelled dataset and its fixed split ("train" / "validation" / "test" per text)."""

    name: str
    texts: list[str]
    labels: list[str]
    source: str
    split: list[str] = field(default_factory=list)

    def part(self, which: str) -> tuple[list[str], list[str]]:
        """(texts, labels) of one split."""
        pairs = [(t, y) for t, y, s in zip(self.texts, self.labels, self.split, strict=True)]
        chosen = [p for p, s in zip(pairs, self.split, strict=True) if s == which]
        return [t for t, _ in chosen], [y for _, y in chosen]

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.labels))

    def median_words(self, which: str = "train") -> float:
        counts = sorted(len(t.split()) for t in self.part(which)[0])
        mid = len(counts) // 2
        return float(counts[mid]) if len(counts) % 2 else (counts[mid - 1] + counts[mid]) / 2


class Missing(Exception):
    """The corpus a loader reads is not installed (the message says how to get it)."""


# -- the split and the file the app reads ------------------------------------------------------
def stratified_split(labels: list[str], seed: int = SEED) -> list[str]:
    """Each class shuffled and cut 70/15/15 (at least one train example per class)."""
    rng = random.Random(seed)
    by_class: dict[str, list[int]] = defaultdict(list)
    for i, y in enumerate(labels):
        by_class[y].append(i)
    out = [""] * len(labels)
    for y in sorted(by_class):
        idx = by_class[y]
        rng.shuffle(idx)
        n_test = round(len(idx) * FRACTIONS[2])
        n_val = round(len(idx) * FRACTIONS[1])
        for k, i in enumerate(idx):
            out[i] = "test" if k < n_test else "validation" if k < n_test + n_val else "train"
    return out


def write_jsonl(data: TextSet, path: Path) -> Path:
    """The dataset as JSON Lines (``text``, ``label``, ``split``): the table the app loads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for t, y, s in zip(data.texts, data.labels, data.split, strict=True):
            f.write(json.dumps({"text": t, "label": y, "split": s}, ensure_ascii=False) + "\n")
    return path


def _finish(name: str, pairs: list[tuple[str, str]], source: str, seed: int) -> TextSet:
    """Drop exact duplicates (and texts seen under two labels), then split."""
    labels_of: dict[str, set[str]] = defaultdict(set)
    for t, y in pairs:
        labels_of[t].add(y)
    seen: set[str] = set()
    texts, labels = [], []
    for t, y in pairs:
        if t in seen or len(labels_of[t]) > 1:
            continue
        seen.add(t)
        texts.append(t)
        labels.append(y)
    return TextSet(name, texts, labels, source, stratified_split(labels, seed))


def _cap(pairs: list[tuple[str, str]], least: int, most: int, seed: int) -> list[tuple[str, str]]:
    """Keep classes with at least ``least`` texts, at most ``most`` of each (seeded)."""
    rng = random.Random(seed)
    by: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for p in pairs:
        by[p[1]].append(p)
    out = []
    for y in sorted(by):
        group = by[y]
        if len(group) < least:
            continue
        rng.shuffle(group)
        out.extend(group[:most])
    return out


# -- real corpora --------------------------------------------------------------------------------
_YAML_ITEM = re.compile(r"^\s*(?:-\s+)+(.*)$")


def _chat_lines(language: str | None = None) -> list[tuple[str, str, str]]:
    """(language, topic, line) of every conversation line in chatterbot-corpus."""
    try:
        import chatterbot_corpus
    except ImportError as exc:
        raise Missing("pip install chatterbot-corpus (BSD, 350 kB, no dependencies)") from exc
    root = Path(chatterbot_corpus.__file__).parent / "data"
    out = []
    for path in sorted(root.glob("*/*.yml")):
        lang = path.parent.name
        if language and lang != language:
            continue
        in_conversations = False
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.startswith("conversations:"):
                in_conversations = True
                continue
            m = _YAML_ITEM.match(raw)
            if not in_conversations or not m:
                continue
            text = m.group(1).strip().strip("'\"").strip()
            text = " ".join(text.split())
            if text and text not in ("|", ">"):
                out.append((lang, path.stem, text))
    return out


def chat_languages(seed: int = SEED) -> TextSet:
    pairs = [(t, lang) for lang, _, t in _chat_lines()]
    pairs = _cap(list(dict.fromkeys(pairs)), 100, 400, seed)
    return _finish("chat_languages", pairs, "chatterbot-corpus lines by language", seed)


def chat_topics(seed: int = SEED) -> TextSet:
    pairs = [(t, topic) for _, topic, t in _chat_lines("english")]
    pairs = _cap(list(dict.fromkeys(pairs)), 40, 300, seed)
    return _finish("chat_topics", pairs, "chatterbot-corpus English lines by topic", seed)


#: standard-library module → family (the label of its docstrings)
STDLIB_FAMILIES = {
    "gui": ("tkinter", "turtle", "turtledemo"),
    "packaging": ("distutils", "ensurepip", "venv", "zipapp"),
    "concurrency": ("asyncio", "multiprocessing", "threading", "concurrent", "queue", "sched"),
    "mail": ("email", "mailbox", "imaplib", "smtplib", "poplib", "nntplib", "mailcap"),
    "imports": ("importlib", "pkgutil", "zipimport", "modulefinder", "runpy"),
    "numbers": ("_pydecimal", "fractions", "statistics", "numbers", "random", "cmath"),
    "markup": ("xml", "html", "xmlrpc"),
    "testing": ("unittest", "doctest", "pdb", "bdb", "trace", "cProfile", "profile", "timeit"),
    "network": ("http", "urllib", "socket", "ssl", "ipaddress", "wsgiref", "ftplib",
                "socketserver", "selectors", "telnetlib"),
    "files": ("_pyio", "tarfile", "zipfile", "pathlib", "shutil", "gzip", "bz2", "lzma",
              "tempfile", "glob", "fnmatch", "filecmp", "fileinput", "os"),
}  # fmt: skip


def stdlib_trees() -> Iterator[tuple[str, ast.Module]]:
    """(family, parsed module) of every standard-library module of a family in
    :data:`STDLIB_FAMILIES`, tests left out, in path order."""
    family_of = {m: fam for fam, mods in STDLIB_FAMILIES.items() for m in mods}
    lib = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(lib.rglob("*.py")):
        rel = path.relative_to(lib).parts
        fam = family_of.get(rel[0].removesuffix(".py"))
        if fam is None or "test" in rel or "tests" in rel:
            continue
        try:
            yield fam, ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue


def python_docs(seed: int = SEED) -> TextSet:
    pairs = []
    for fam, tree in stdlib_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node)
                if doc and len(doc.split()) >= 6:
                    pairs.append((" ".join(doc.split()), fam))
    pairs = _cap(pairs, 100, 400, seed)
    return _finish("python_docs", pairs, "Python standard-library docstrings by family", seed)


# -- generators -----------------------------------------------------------------------------------
_ONSETS = (
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "br",
    "ch",
    "cl",
    "dr",
    "fl",
    "gr",
    "pl",
    "pr",
    "sh",
    "sl",
    "st",
    "str",
    "th",
    "tr",
)
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "ie", "oo")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "ng", "rt", "sh")  # fmt: skip


def _words(n: int, rng: random.Random, taken: set[str]) -> list[str]:
    """``n`` distinct pronounceable pseudo-words (1-3 syllables) not in ``taken``."""
    out: list[str] = []
    while len(out) < n:
        w = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((1, 2, 2, 3)))
        )
        if w not in taken:
            taken.add(w)
            out.append(w)
    return out


def _zipf_weights(n: int, s: float = 1.05) -> list[float]:
    return [1.0 / (r + 1) ** s for r in range(n)]


def _topics(
    n_classes: int, per_topic: int, shared: float, rng: random.Random, taken: set[str]
) -> list[list[str]]:
    """Each class's characteristic words; a fraction ``shared`` also belongs to another topic."""
    pool = [_words(per_topic, rng, taken) for _ in range(n_classes)]
    topics = []
    for k in range(n_classes):
        own = list(pool[k])
        n_borrow = int(per_topic * shared)
        for j in range(n_borrow):  # borrowed from the neighbours: topics overlap
            other = pool[(k + 1 + j % (n_classes - 1)) % n_classes]
            own[-(j + 1)] = other[j]
        topics.append(own)
    return topics


def _mixture_docs(
    name: str,
    n: int,
    n_classes: int,
    median_words: int,
    topic_share: tuple[float, float],
    noise: float,
    seed: int,
    source: str,
) -> TextSet:
    """Documents: background words (Zipf) + the class's topic + a second topic; label noise."""
    rng = random.Random(seed)
    taken: set[str] = set()
    background = _words(1500, rng, taken)
    bg_w = _zipf_weights(len(background))
    topics = _topics(n_classes, 80, 0.3, rng, taken)
    topic_w = _zipf_weights(80, 0.8)
    classes = [f"topic_{k:02d}" for k in range(n_classes)]
    pairs = []
    for i in range(n):
        k = i % n_classes
        length = max(5, int(rng.lognormvariate(0, 0.5) * median_words))
        share = rng.uniform(*topic_share)
        second = rng.randrange(n_classes)
        n_topic = int(length * share)
        n_second = int(length * share * rng.uniform(0.2, 0.7))
        words = rng.choices(background, bg_w, k=length - n_topic - n_second)
        words += rng.choices(topics[k], topic_w, k=n_topic)
        words += rng.choices(topics[second], topic_w, k=n_second)
        rng.shuffle(words)
        label = classes[rng.randrange(n_classes)] if rng.random() < noise else classes[k]
        pairs.append((" ".join(words), label))
    return _finish(name, pairs, source, seed)


def topic_mix(seed: int = SEED, n: int = 4000) -> TextSet:
    return _mixture_docs(
        "topic_mix", n, 8, 60, (0.06, 0.2), 0.05, seed,
        "generated: 8 overlapping topics in a shared Zipf background, 5 % label noise",
    )  # fmt: skip


def long_docs(seed: int = SEED, n: int = 1200) -> TextSet:
    return _mixture_docs(
        "long_docs", n, 6, 600, (0.01, 0.04), 0.0, seed,
        "generated: long documents, 1-4 % topic words, word order meaningless",
    )  # fmt: skip


_POSITIVE = (
    "good",
    "great",
    "fine",
    "helpful",
    "fresh",
    "friendly",
    "fast",
    "clean",
    "tasty",
    "comfortable",
    "reliable",
    "worth it",
    "pleasant",
    "solid",
)
_NEGATIVE = (
    "bad",
    "awful",
    "slow",
    "rude",
    "dirty",
    "broken",
    "cold",
    "noisy",
    "late",
    "bland",
    "overpriced",
    "disappointing",
    "boring",
    "cramped",
)
_SUBJECTS = (
    "the food",
    "the service",
    "our room",
    "the staff",
    "the delivery",
    "this phone",
    "the battery",
    "the app",
    "the hotel",
    "the coffee",
    "the seller",
    "the screen",
    "the driver",
    "the manual",
    "the checkout",
    "this place",
)
_NEGATORS = ("not", "never", "hardly", "not at all", "by no means", "no longer")
_ADVERBS = ("", "", "", "really", "very", "that", "particularly", "overly", "exactly")
_FILLERS = ("", "", "", "honestly", "to be fair", "again", "this time", "as usual", "overall",
            "i think", "for the price", "today")  # fmt: skip


def negation(seed: int = SEED, n: int = 20000) -> TextSet:
    """Every word (adjectives and negators included) as frequent in each class: the label is
    the polarity of the adjective, flipped by a negator one or two words before it."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        positive = rng.random() < 0.5
        adjective = rng.choice(_POSITIVE if positive else _NEGATIVE)
        negated = rng.random() < 0.5
        adverb = rng.choice(_ADVERBS)
        words = [rng.choice(_SUBJECTS), rng.choice(("was", "is", "seemed", "felt"))]
        if negated:
            words.append(rng.choice(_NEGATORS))
        words += [adverb, adjective] if adverb else [adjective]
        filler = rng.choice(_FILLERS)
        if filler:
            words.insert(0, filler) if rng.random() < 0.5 else words.append(filler)
        label = "positive" if positive != negated else "negative"
        pairs.append((" ".join(words), label))
    return _finish("negation", pairs, "generated: negated adjectives, bigrams decide", seed)


LOADERS: dict[str, Callable[..., TextSet]] = {
    "chat_languages": chat_languages,
    "chat_topics": chat_topics,
    "python_docs": python_docs,
    "topic_mix": topic_mix,
    "long_docs": long_docs,
    "negation": negation,
}


def load(name: str, seed: int = SEED) -> TextSet:
    """One dataset by name (:data:`LOADERS`); raises :class:`Missing` when its corpus is."""
    if name not in LOADERS:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(LOADERS)}")
    return LOADERS[name](seed=seed)


def describe(data: TextSet) -> dict[str, object]:
    """n, classes, median words per sample and the samples/words ratio of the train split."""
    train = data.part("train")[0]
    med = data.median_words("train")
    return {
        "n": len(data.texts),
        "classes": len(data.classes),
        "words": med,
        "ratio": len(train) / max(med, 1.0),
        "largest_class": max(Counter(data.labels).values()) / max(len(data.labels), 1),
    }
