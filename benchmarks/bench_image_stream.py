"""Image streaming memory: peak RSS of one epoch of ``make_dataset`` for 2,000 vs 20,000 images.

20,000 generated 64×64 JPEGs (10 classes, noise + a coloured shape) are written once under
``benchmarks/.cache/`` (a process pool; reruns reuse them); the 2,000-image set is the first
200 of each class. For each size a FRESH Python process imports TensorFlow, builds the app's
``make_dataset(paths, labels, image_size=64, batch_size=64, shuffle=True)`` (streaming, no
cache) and iterates one full epoch, then reports its peak RSS (``ru_maxrss``), the RSS after
the imports (the floor), and images/second after the first batch. Target: peak(20,000) ≤ 1.2 × peak(2,000), i.e.
memory does not grow with the number of images.

    .venv/bin/python benchmarks/bench_image_stream.py            # the benchmark
    .venv/bin/python benchmarks/bench_image_stream.py --child 2000   # one measurement
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from _common import (
    CACHE,
    REPO,
    Unavailable,
    measure_epoch,
    peak_rss_kb,
    require,
    result,
    run_child,
    run_main,
)

NAME = "image_stream_memory"
SIZES = (2_000, 20_000)
CLASSES = 10
SIDE = 64
BATCH = 64
TARGET = 1.2
FOLDER = CACHE / f"images_{SIDE}px_{max(SIZES)}"
MARKER = FOLDER / "complete.txt"


def _write_one(args: tuple[int, int, str]) -> None:
    """One JPEG: noise, a class-coloured rectangle or ellipse at a random place."""
    import numpy as np
    from PIL import Image, ImageDraw

    label, index, path = args
    rng = np.random.default_rng(label * 1_000_003 + index)
    pixels = rng.integers(60, 200, (SIDE, SIDE, 3), dtype=np.uint8)
    img = Image.fromarray(pixels, "RGB")
    colour = tuple(int(c) for c in ((label * 53) % 256, (label * 97) % 256, (label * 193) % 256))
    x0, y0 = (int(v) for v in rng.integers(0, SIDE // 2, 2))
    x1, y1 = x0 + int(rng.integers(12, SIDE // 2)), y0 + int(rng.integers(12, SIDE // 2))
    draw = ImageDraw.Draw(img)
    (draw.ellipse if label % 2 else draw.rectangle)([x0, y0, x1, y1], fill=colour)
    img.save(path, "JPEG", quality=90)


def _paths(n: int) -> list[tuple[str, int]]:
    """The first ``n // CLASSES`` images of every class, as (path, label)."""
    per_class = n // CLASSES
    return [
        (str(FOLDER / f"class_{c:02d}" / f"img_{i:05d}.jpg"), c)
        for c in range(CLASSES)
        for i in range(per_class)
    ]


def make_images() -> float:
    """Generate the image folder once (a process pool); returns seconds spent (0 if cached)."""
    total = max(SIZES)
    if MARKER.exists() and MARKER.read_text().strip() == str(total):
        return 0.0
    from multiprocessing import Pool

    start = time.perf_counter()
    for c in range(CLASSES):
        (FOLDER / f"class_{c:02d}").mkdir(parents=True, exist_ok=True)
    jobs = [(label, int(Path(p).stem.split("_")[1]), p) for p, label in _paths(total)]
    with Pool(processes=os.cpu_count() or 2) as pool:
        pool.map(_write_one, jobs, chunksize=256)
    MARKER.write_text(str(total))
    return time.perf_counter() - start


def child(n: int) -> dict:
    """In a fresh process: one full shuffled epoch over ``n`` images; RSS and speed."""
    import numpy as np

    sys.path.insert(0, str(REPO))
    from automl_gui.core.base import lazy
    from automl_gui.core.preprocess.images import make_dataset

    lazy.tf()
    pairs = _paths(n)
    paths = [p for p, _ in pairs]
    labels = np.array([label for _, label in pairs], dtype="int32")
    floor_kb = peak_rss_kb()
    ds = make_dataset(paths, labels, SIDE, BATCH, shuffle=True, seed=1)
    return measure_epoch(ds, floor_kb, "images")


def _measure(n: int) -> dict:
    return run_child(__file__, n, what=f"{n} images")


def body() -> dict:
    require("automl_gui.core.preprocess.images", "make_dataset")
    try:
        import PIL  # noqa: F401
    except ImportError as exc:
        raise Unavailable("Pillow is not installed") from exc
    generated_s = make_images()
    runs = {n: _measure(n) for n in SIZES}
    small, large = runs[min(SIZES)], runs[max(SIZES)]
    for n, run in runs.items():
        if run["images"] != n:
            raise RuntimeError(f"{n} images in, {run['images']} out")
    ratio = large["peak_rss_mb"] / small["peak_rss_mb"]
    growth = {n: r["peak_rss_mb"] - r["floor_rss_mb"] for n, r in runs.items()}
    # What does grow: the paths, labels and the shuffle buffer of paths (not of images).
    per_image_kb = (growth[max(SIZES)] - growth[min(SIZES)]) * 1024 / (max(SIZES) - min(SIZES))
    summary = (
        f"peak RSS {small['peak_rss_mb']:.0f} MB (2k) vs {large['peak_rss_mb']:.0f} MB (20k) = "
        f"{ratio:.2f}×; {small['images_per_s']:.0f} / {large['images_per_s']:.0f} img/s"
    )
    return result(
        NAME,
        "peak RSS ratio 20k/2k",
        round(ratio, 3),
        "×",
        f"<= {TARGET}",
        ratio <= TARGET,
        summary=summary,
        **{
            f"{n}_{k}": round(v, 1)
            for n, run in runs.items()
            for k, v in run.items()
            if k not in ("images", "overall_images_per_s")
        },
        pipeline_growth_mb={str(n): round(v, 1) for n, v in growth.items()},
        growth_kb_per_extra_image=round(per_image_kb, 2),
        generated_s=round(generated_s, 1),
        image_side=SIDE,
        batch_size=BATCH,
        cpus=os.cpu_count(),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(child(int(argv[1]))), flush=True)
        return 0
    return run_main(NAME, body)


if __name__ == "__main__":
    raise SystemExit(main())
