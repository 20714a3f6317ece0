"""Text input pipeline: throughput and peak memory at 10,000 vs 100,000 texts.

Generated texts (``_text_data.topic_mix``: 8 topics, median ~60 words) are written once as a
JSON Lines table (cached in ``benchmarks/.cache/text/``); then, for each size and each
vectorization (the n-gram MLP's TF-IDF of uni- and bigrams, the sepCNN's token ids), a
fresh process goes the way training goes, through the real code:

1. ``TEXT.load`` reads the table (texts held in memory): seconds and texts/s, after a warm-up
   that pays for the imports;
2. ``TEXT.media(...).split()`` and ``prepare(architecture)``: the automatic settings
   resolved and the ``TextVectorization`` adapted on the training texts (seconds);
3. one shuffled epoch of ``make_dataset`` (the ``tf.data`` of strings training feeds the
   model) with each batch vectorized by the adapted layer, as the model's first layer does
   (texts/s after the first batch); for scale, scikit-learn's vectorizer with the same
   n-grams and vocabulary size on the same texts (fit + transform, texts/s);
4. the process's peak RSS (``ru_maxrss``) up to here, and its RSS before loading; last, the
   table loaded again under ``tracemalloc`` for the Python heap's peak while loading.

Target: vectorized texts/s at 100k at least 0.8 × at 10k (the pipeline scales linearly), and
the 100k process's peak RSS at most 4 GB.

    .venv/bin/python benchmarks/text_speed.py                  # 10k and 100k (~3 min)
    .venv/bin/python benchmarks/text_speed.py --sizes 2000 20000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from _common import CACHE, peak_rss_kb, require, result, run_child, run_main
from _text_data import topic_mix, write_jsonl

NAME = "text_speed"
SIZES = (10_000, 100_000)
ARCHITECTURES = ("ngram_mlp", "sepcnn")
BATCH = 64  # the files job's CPU batch for networks trained whole
SCALING = 0.8
MAX_PEAK_MB = 4096


def table_of(n: int) -> Path:
    """The cached JSON Lines table of ``n`` generated texts (written on first use)."""
    path = CACHE / "text" / f"topic_mix_{n}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        write_jsonl(topic_mix(n=n), tmp)
        tmp.replace(path)
    return path


def _warm_up(kind: Any) -> None:
    """Import what loading and vectorizing import, on a six-line table."""
    import tempfile

    from automl_gui.core.base import lazy

    lazy.tf()
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "warm.jsonl"
        lines = [f'{{"text": "word{i} other", "label": "{"xy"[i % 2]}"}}' for i in range(6)]
        probe.write_text("\n".join(lines) + "\n", encoding="utf-8")
        kind.load(probe, text_column="text", label_column="label")


def _sklearn_reference(texts: list[str], resolved: Any) -> float:
    """texts/s of scikit-learn's vectorizer on the same texts and n-grams (fit + transform):
    what a CPU vectorizer outside the model does, for scale."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    grams = (1, max(1, int(resolved.ngrams or 1)))
    maker = TfidfVectorizer if resolved.output_mode == "tf_idf" else CountVectorizer
    start = time.perf_counter()
    maker(ngram_range=grams, max_features=int(resolved.max_tokens or 20_000)).fit_transform(texts)
    return len(texts) / (time.perf_counter() - start)


def child(n: int, architecture: str) -> dict[str, Any]:
    """One size and vectorization, measured in this (fresh) process."""
    import tracemalloc

    import numpy as np

    from automl_gui.core.kinds import kind_named

    path = table_of(n)
    text = kind_named("text")
    _warm_up(text)  # imports (TensorFlow, pandas...) are not the pipeline's cost
    floor_kb = peak_rss_kb()
    start = time.perf_counter()
    dataset = text.load(path, text_column="text", label_column="label")
    load_s = time.perf_counter() - start
    after_load_kb = peak_rss_kb()

    start = time.perf_counter()
    media = text.media(dataset, text.default_preprocess(dataset))
    split = media.split()
    paths = [i.path for i in split.train]
    media.prepare(architecture, SimpleNamespace(paths={"train": paths}, on_event=None))
    prepare_s = time.perf_counter() - start

    vectorize = media.vectorizer
    labels = np.asarray(split.labels(split.train))
    batches = media.make_dataset(paths, labels, BATCH, shuffle=True, seed=0, training=True)
    start = time.perf_counter()
    seen, first = 0, None
    for strings, _ in batches:
        out = vectorize(strings)
        seen += int(out.shape[0])
        if first is None:
            first = (time.perf_counter(), seen)
    end = time.perf_counter()
    steady = (seen - first[1]) / (end - first[0]) if first and end > first[0] else float("nan")
    chars = sum(len(i.text) for i in dataset.items)
    vocabulary = media.vocabulary_size()
    resolved = {k: getattr(media.resolved, k) for k in ("ngrams", "output_mode")}
    peak_kb = peak_rss_kb()  # before the reference and the traced load below
    reference = _sklearn_reference(media.texts(paths), media.resolved)
    del batches, media, dataset
    tracemalloc.start()  # the load again, traced (tracemalloc slows Python down)
    text.load(path, text_column="text", label_column="label")
    _, load_heap = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n": n,
        "architecture": architecture,
        "train_texts": len(paths),
        "mb_of_text": chars / 1e6,
        "load_s": load_s,
        "load_texts_per_s": n / load_s,
        "load_heap_peak_mb": load_heap / 2**20,
        "prepare_s": prepare_s,
        "vocabulary": vocabulary,
        "settings": resolved,
        "epoch_s": end - start,
        "texts_per_s": steady,
        "sklearn_texts_per_s": reference,
        "floor_rss_mb": floor_kb / 1024,
        "after_load_rss_mb": after_load_kb / 1024,
        "peak_rss_mb": peak_kb / 1024,
    }


def format_rows(rows: list[dict[str, Any]]) -> str:
    header = (
        "texts", "vectorization", "MB text", "load s", "load heap MB", "adapt s",
        "epoch s", "texts/s", "sklearn texts/s", "RSS before MB", "peak RSS MB",
    )  # fmt: skip
    lines = [header]
    for r in rows:
        lines.append(
            (
                f"{r['n']:,}",
                f"{r['architecture']} ({r['settings']['output_mode']}, "
                f"{r['settings']['ngrams']}-grams, vocab {r['vocabulary']:,})",
                f"{r['mb_of_text']:.1f}",
                f"{r['load_s']:.1f}",
                f"{r['load_heap_peak_mb']:.0f}",
                f"{r['prepare_s']:.1f}",
                f"{r['epoch_s']:.1f}",
                f"{r['texts_per_s']:,.0f}",
                f"{r['sklearn_texts_per_s']:,.0f}",
                f"{r['floor_rss_mb']:.0f}",
                f"{r['peak_rss_mb']:.0f}",
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def body(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=SIZES, metavar=("SMALL", "LARGE"))
    parser.add_argument("--architectures", nargs="+", default=ARCHITECTURES)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per measurement")
    args = parser.parse_args(argv)
    require("automl_gui.core.kinds.text", "TextKind")
    for n in args.sizes:
        table_of(n)  # written here, not inside a timed child
    rows = []
    for arch in args.architectures:
        for n in args.sizes:
            print(f"{n:,} texts, {arch} …", file=sys.stderr, flush=True)
            row = run_child(__file__, n, arch, what=f"{n} texts ({arch})", timeout=args.timeout)
            rows.append(row)
            print(f"  {row}", file=sys.stderr, flush=True)
    print(format_rows(rows))
    small, large = args.sizes
    checks = {}
    for arch in args.architectures:
        a, b = (
            next(r for r in rows if r["n"] == n and r["architecture"] == arch)
            for n in (small, large)
        )
        checks[arch] = {
            "scaling": b["texts_per_s"] / a["texts_per_s"],
            "large_peak_mb": b["peak_rss_mb"],
        }
    worst = min(c["scaling"] for c in checks.values())
    peak = max(c["large_peak_mb"] for c in checks.values())
    return result(
        NAME,
        "texts/s large ÷ small (worst)",
        worst,
        "×",
        f">= {SCALING}, peak RSS <= {MAX_PEAK_MB} MB",
        worst >= SCALING and peak <= MAX_PEAK_MB,
        summary=", ".join(
            f"{r['architecture']} {r['n'] // 1000}k {r['texts_per_s']:,.0f} texts/s "
            f"{r['peak_rss_mb']:.0f} MB"
            for r in rows
        ),
        rows=rows,
        checks=checks,
    )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        from _common import emit

        emit(child(int(sys.argv[2]), sys.argv[3]))
        return 0
    return run_main(NAME, body)


if __name__ == "__main__":
    raise SystemExit(main())
