"""Audio streaming: clips/second and peak RSS of one epoch of ``make_audio_dataset``, 1,000 vs
10,000 clips, and a cached control run that must grow (so the check can fail).

Clips: 1 s, 4 classes (a tone per class plus noise), half at 16 kHz and half at 44.1 kHz,
half WAV (16-bit) and half FLAC, every second one stereo. 128 distinct clips are written
with soundfile into a temporary folder; the 10,000 paths are hard links to them (a copy
where linking fails), so generating takes about a second and no disk fills up. Reads then
come from the page cache: this measures decode, mixdown, resampling (44.1 → 16 kHz, soxr
HQ) and the tf.data pipeline, not the disk. The 1,000-clip set is the first 250 of each class.

For each size a FRESH Python process imports TensorFlow, builds the app's
``make_audio_dataset(paths, labels, 16000, 16000, batch_size=64, shuffle=True,
training=True)`` and iterates one full epoch, then reports its peak RSS (``ru_maxrss``), the
RSS after the imports (the floor) and clips/second after the first batch (and overall). The
control does the same with ``cache=True`` (decoded clips kept: 64 KB each at 16 kHz; its
shuffle after the cache waits for the whole epoch's decode before the first batch, so only
its overall rate means something). Also measured in
this process: one thread decoding with ``load_audio`` (the parallel map's speed-up shows
that soundfile and soxr release the GIL).

Target: streamed peak(10,000) ≤ 1.2 × peak(1,000), while the cached control's ratio is
above 1.2 (the measurement does see memory that grows with the number of clips).

    .venv/bin/python benchmarks/bench_audio_stream.py                    # the benchmark
    .venv/bin/python benchmarks/bench_audio_stream.py --child DIR 1000 0  # one measurement
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    REPO,
    Unavailable,
    measure_epoch,
    peak_rss_kb,
    require,
    result,
    run_child,
    run_main,
)

NAME = "audio_stream_memory"
SIZES = (1_000, 10_000)
CLASSES = 4
VARIANTS = 8  # distinct clips per class and (rate, format) kind
KINDS = ((16_000, "wav"), (44_100, "flac"), (44_100, "wav"), (16_000, "flac"))
RATE = 16_000  # the pipeline's target rate
BATCH = 64
TARGET = 1.2


def _clip(label: int, variant: int, rate: int, stereo: bool):
    """One second: a class tone with a few harmonics, a random phase and level, and noise."""
    import numpy as np

    rng = np.random.default_rng(label * 1_000 + variant * 10 + rate % 7)
    t = np.arange(rate) / rate
    f = 220.0 * (1 + label) * rng.uniform(0.95, 1.05)
    x = sum(np.sin(2 * np.pi * f * h * t + rng.uniform(0, 6.3)) / h for h in (1, 2, 3))
    x = x / np.abs(x).max() * rng.uniform(0.3, 0.8) + rng.standard_normal(rate) * 0.01
    x = np.clip(x, -1, 1).astype("float32")
    return np.stack([x, x * 0.8], axis=1) if stereo else x


def _paths(folder: Path, n: int) -> list[tuple[str, int]]:
    """The first ``n // CLASSES`` clips of every class, as (path, label)."""
    per_class = n // CLASSES
    return [
        (str(folder / f"class_{c}" / f"clip_{i:05d}.{KINDS[i % len(KINDS)][1]}"), c)
        for c in range(CLASSES)
        for i in range(per_class)
    ]


def make_clips(folder: Path) -> float:
    """Write the distinct clips, then link every path to one of its kind; seconds spent."""
    import soundfile as sf

    start = time.perf_counter()
    templates = folder / "templates"
    templates.mkdir(parents=True)
    for c in range(CLASSES):
        (folder / f"class_{c}").mkdir()
        for k, (rate, fmt) in enumerate(KINDS):
            for v in range(VARIANTS):
                data = _clip(c, v, rate, stereo=bool(v % 2))
                sf.write(templates / f"{c}_{k}_{v}.{fmt}", data, rate, subtype="PCM_16")
    for path, label in _paths(folder, max(SIZES)):
        i = int(Path(path).stem.split("_")[1])
        source = templates / f"{label}_{i % len(KINDS)}_{(i // len(KINDS)) % VARIANTS}"
        source = source.with_suffix(Path(path).suffix)
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)
    return time.perf_counter() - start


def decode_one_thread(folder: Path, count: int = 200) -> float:
    """Clips/second of ``load_audio`` in one thread (decode + mixdown + resample, no TF)."""
    sys.path.insert(0, str(REPO))
    from automl_gui.core.preprocess.audio import load_audio

    paths = [p for p, _ in _paths(folder, max(SIZES))][:: max(SIZES) // count][:count]
    load_audio(paths[0], RATE)  # imports, soxr set-up
    start = time.perf_counter()
    for p in paths:
        load_audio(p, RATE)
    return len(paths) / (time.perf_counter() - start)


def child(folder: Path, n: int, cache: bool) -> dict:
    """In a fresh process: one full shuffled training epoch over ``n`` clips; RSS and speed."""
    import numpy as np

    sys.path.insert(0, str(REPO))
    from automl_gui.core.base import lazy
    from automl_gui.core.preprocess.audio import make_audio_dataset

    lazy.tf()
    pairs = _paths(folder, n)
    paths = [p for p, _ in pairs]
    labels = np.array([label for _, label in pairs], dtype="int32")
    floor_kb = peak_rss_kb()
    ds = make_audio_dataset(
        paths, labels, RATE, RATE, BATCH, shuffle=True, training=True, seed=1, cache=cache
    )
    return measure_epoch(ds, floor_kb, "clips")


def _measure(folder: Path, n: int, cache: bool) -> dict:
    return run_child(__file__, folder, n, int(cache), what=f"{n} clips")


def body() -> dict:
    require("automl_gui.core.preprocess.audio", "make_audio_dataset")
    try:
        import soundfile  # noqa: F401
        import soxr  # noqa: F401
    except ImportError as exc:
        raise Unavailable(f"{exc.name} is not installed") from exc
    folder = Path(tempfile.mkdtemp(prefix="automl-bench-audio-"))
    try:
        generated_s = make_clips(folder)
        one_thread = decode_one_thread(folder)
        runs = {n: _measure(folder, n, cache=False) for n in SIZES}
        cached = {n: _measure(folder, n, cache=True) for n in SIZES}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    small, large = min(SIZES), max(SIZES)
    for n in SIZES:
        if runs[n]["clips"] != n or cached[n]["clips"] != n:
            raise RuntimeError(f"{n} clips in, {runs[n]['clips']} / {cached[n]['clips']} out")
    ratio = runs[large]["peak_rss_mb"] / runs[small]["peak_rss_mb"]
    control = cached[large]["peak_rss_mb"] / cached[small]["peak_rss_mb"]

    def growth(run: dict) -> float:
        return run["peak_rss_mb"] - run["floor_rss_mb"]

    # What does grow when streaming: the paths, labels and the shuffle buffer of paths.
    per_clip_kb = (growth(runs[large]) - growth(runs[small])) * 1024 / (large - small)
    cached_kb = (growth(cached[large]) - growth(cached[small])) * 1024 / (large - small)
    speed = runs[large]["clips_per_s"]
    summary = (
        f"peak RSS {runs[small]['peak_rss_mb']:.0f} MB (1k) vs "
        f"{runs[large]['peak_rss_mb']:.0f} MB (10k) = {ratio:.2f}× (cached: {control:.2f}×); "
        f"{runs[small]['clips_per_s']:.0f} / {speed:.0f} clips/s"
    )
    return result(
        NAME,
        "peak RSS ratio 10k/1k",
        round(ratio, 3),
        "×",
        f"<= {TARGET} (cached control > {TARGET})",
        ratio <= TARGET and control > TARGET,
        summary=summary,
        **{
            f"{n}_{k}": round(v, 1)
            for n, run in runs.items()
            for k, v in run.items()
            if k != "clips"
        },
        **{
            f"cached_{n}_{k}": round(v, 1)
            for n, run in cached.items()
            for k, v in run.items()
            if k != "clips"
        },
        cached_ratio=round(control, 3),
        growth_kb_per_extra_clip=round(per_clip_kb, 2),
        cached_growth_kb_per_extra_clip=round(cached_kb, 1),
        one_thread_decode_clips_per_s=round(one_thread, 1),
        parallel_speedup=round(speed / one_thread, 2),
        generated_s=round(generated_s, 1),
        batch_size=BATCH,
        cpus=os.cpu_count(),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        out = child(Path(argv[1]), int(argv[2]), bool(int(argv[3])))
        print(json.dumps(out), flush=True)
        return 0
    return run_main(NAME, body)


if __name__ == "__main__":
    raise SystemExit(main())
