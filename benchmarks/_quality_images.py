"""The images section of ``bench_quality.py``: the app's default image training against
logistic regression on raw pixels and the app's image search, on image sets made offline.

Sets (written as class folders of image files under a temporary folder, fixed seeds):

- ``digits``: scikit-learn's handwritten digits (1,797 real 8×8 scans of 43 writers, UCI),
  upscaled to 28×28 grayscale PNGs (bicubic). The issue's case: small gray digits.
- ``glyphs``: ten lowercase letters (a b d e g h n p q u: b/d/p/q are mirror images of each
  other) drawn in every outline font this computer has (``fc-list``), each with random
  rotation (±8°), scale, shift, stroke noise and blur, 32×32 grayscale PNGs.
- ``photo_patches``: 40×40 colour JPEG crops of scikit-learn's two sample photographs
  (``china.jpg``, ``flower.jpg``), four classes = photo × top/bottom half, at random
  positions and scales: colour texture, where RGB must stay RGB.

Per set, all on the same stratified split (the app's own ``split_images`` with its default
fractions; the run's test files are checked to be that split's):

- ``default``: ``IMAGES.train(TrainRequest(...))`` with the kind's defaults
  (``default_preprocess(dataset)``, ``default_model()``, ``default_training()``), as the
  Train button runs it; its seconds, epochs, why it stopped and its diagnosis.
- ``baseline``: scikit-learn ``LogisticRegression`` on the raw pixels (the same resize as the
  app's, gray when the images are, scaled to [0, 1]), C picked on validation.
- ``search``: the app's image search (``core.tune.search.jobs.search``) with ``budget_s``
  seconds (None with ``quick``).

Measured (issue 17, 2 cores shared with other jobs at load ~12, so seconds are slow; test
accuracy; logistic regression on pixels in brackets): digits before 0.941 (30 epochs,
"still improving") → after 0.993 (early stopping at 68, grayscale) [0.959]; glyphs before
0.700 (left-right flips turn b into d and p into q) → after 0.967 (early stopping at 55)
[0.790]; photo_patches after 0.950 (RGB kept, early stopping at 46) [0.728].

``python benchmarks/_quality_images.py [SET...] [--budget S] [--quick] [--before]`` prints the
rows alone (``--before``: the defaults before issue 17, RGB, left-right flips, 30 epochs).
``rows(budget_s, quick)`` returns one dict per set (``section``, ``dataset``, ``n``,
``metric``, ``default``, ``search``, ``baseline``, ``default_s``, notes).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

SEED = 0
SETS = ("digits", "glyphs", "photo_patches")
LETTERS = "abdeghnpqu"
C_GRID = (0.03, 0.1, 0.3, 1.0)
#: quick mode: at most this many images per set, and the default training's time budget
QUICK_IMAGES = 600
QUICK_TRAIN_BUDGET_S = 60.0


# -- the sets -----------------------------------------------------------------------------------
def write_digits(root: Path, limit: int | None = None) -> Path:
    """scikit-learn's digits as 28×28 grayscale PNGs in class folders."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(SEED).permutation(len(data.target))[:limit]
    for i in order:
        folder = root / str(data.target[i])
        folder.mkdir(parents=True, exist_ok=True)
        pixels = np.round(data.images[i] * 255.0 / 16.0).astype("uint8")
        image = Image.fromarray(pixels, "L").resize((28, 28), Image.Resampling.BICUBIC)
        image.save(folder / f"{i:04d}.png")
    return root


def _fonts() -> list[str]:
    """Outline fonts (TrueType/OpenType/Type 1) with Latin letters, sorted, emoji left out."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=en", "file"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = {line.split(":")[0].strip() for line in out.splitlines()}
    keep = (".ttf", ".otf", ".t1", ".pfb")
    return sorted(f for f in files if f.lower().endswith(keep) and "emoji" not in f.lower())


def write_glyphs(root: Path, limit: int | None = None) -> Path:
    """Lowercase letters in every font, jittered, as 32×32 grayscale PNGs."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = np.random.default_rng(SEED)
    fonts = []
    for path in _fonts():
        try:
            fonts.append(ImageFont.truetype(path, 40))
        except OSError:
            continue
    if len(fonts) < 5:
        raise RuntimeError(f"only {len(fonts)} usable fonts on this computer (fc-list)")
    per_class = max(1, (limit or 2000) // len(LETTERS))
    for letter in LETTERS:
        folder = root / letter
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(per_class):
            font = fonts[(k + rng.integers(len(fonts))) % len(fonts)]
            canvas = Image.new("L", (64, 64), 0)
            draw = ImageDraw.Draw(canvas)
            box = draw.textbbox((0, 0), letter, font=font)
            x = (64 - (box[2] - box[0])) / 2 - box[0] + rng.uniform(-4, 4)
            y = (64 - (box[3] - box[1])) / 2 - box[1] + rng.uniform(-4, 4)
            draw.text((x, y), letter, fill=255, font=font)
            scale = rng.uniform(0.8, 1.15)
            canvas = canvas.rotate(
                rng.uniform(-8, 8), resample=Image.Resampling.BILINEAR, center=(32, 32)
            )
            side = int(64 / scale)
            left = (64 - side) // 2
            canvas = canvas.crop((left, left, left + side, left + side))
            canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.2)))
            pixels = np.asarray(canvas.resize((32, 32), Image.Resampling.BILINEAR), "float32")
            pixels = 255.0 - pixels + rng.normal(0.0, 12.0, pixels.shape)  # dark ink, paper
            image = Image.fromarray(np.clip(pixels, 0, 255).astype("uint8"), "L")
            image.save(folder / f"{letter}_{k:04d}.png")
    return root


def write_photo_patches(root: Path, limit: int | None = None) -> Path:
    """Colour crops of scikit-learn's two sample photos: photo × top/bottom half."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_sample_images

    rng = np.random.default_rng(SEED)
    photos = load_sample_images()
    per_class = max(1, (limit or 1200) // 4)
    for name, photo in zip(("china", "flower"), photos.images, strict=True):
        height = photo.shape[0]
        for half, (top, bottom) in (("top", (0, height // 2)), ("bottom", (height // 2, height))):
            folder = root / f"{name}_{half}"
            folder.mkdir(parents=True, exist_ok=True)
            for k in range(per_class):
                side = int(rng.integers(40, 96))
                y = int(rng.integers(top, max(top + 1, bottom - side)))
                x = int(rng.integers(0, photo.shape[1] - side))
                crop = Image.fromarray(photo[y : y + side, x : x + side])
                crop = crop.resize((40, 40), Image.Resampling.BILINEAR)
                crop.save(folder / f"{k:04d}.jpg", quality=90)
    return root


WRITERS = {"digits": write_digits, "glyphs": write_glyphs, "photo_patches": write_photo_patches}


# -- the baseline -------------------------------------------------------------------------------
def pixels(paths: list[str], size: int, gray: bool) -> Any:
    """Images resized to ``size`` as the app resizes them, flattened, in [0, 1]."""
    import numpy as np
    from PIL import Image

    rows = []
    for path in paths:
        with Image.open(path) as image:
            image = image.convert("L" if gray else "RGB")
            image = image.resize((size, size), Image.Resampling.BILINEAR)
            rows.append(np.asarray(image, "float32").ravel() / 255.0)
    return np.stack(rows)


def baseline(split: Any, size: int, gray: bool) -> dict[str, Any]:
    """Logistic regression on raw pixels, C chosen on the validation split."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    start = time.perf_counter()
    parts = {p: getattr(split, p) for p in ("train", "validation", "test")}
    x = {p: pixels([i.path for i in items], size, gray) for p, items in parts.items()}
    y = {p: split.labels(items) for p, items in parts.items()}
    best: tuple[float, float, Any] | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for c in C_GRID:
            model = LogisticRegression(C=c, max_iter=300, tol=1e-3, random_state=SEED)
            model.fit(x["train"], y["train"])
            score = float(model.score(x["validation"], y["validation"]))
            if best is None or score > best[0]:
                best = (score, c, model)
    assert best is not None
    return {
        "accuracy": float(best[2].score(x["test"], y["test"])),
        "C": best[1],
        "seconds": round(time.perf_counter() - start, 1),
    }


# -- the app ------------------------------------------------------------------------------------
def _same_split(run: Any, split: Any) -> bool:
    frame = getattr(run, "test_predictions", None)
    if frame is None or "path" not in frame:
        return False
    return set(map(str, frame["path"])) == {i.path for i in split.test}


#: ``--before``: the defaults before issue 17 (RGB, left-right flips, at most 30 epochs)
BEFORE = {"color_mode": "rgb", "flip": "horizontal", "epochs": 30}


def default_training(
    kind: Any, dataset: Any, split: Any, quick: bool, before: bool = False
) -> dict[str, Any]:
    """The kind's default settings trained through the engine, as the Train button does
    (``before``: with :data:`BEFORE` instead, for the figures before issue 17)."""
    import dataclasses

    from automl_gui.core.base.events import Log
    from automl_gui.core.jobs.requests import TrainRequest

    training = kind.default_training()
    preprocess = kind.default_preprocess(dataset)
    if before:
        training = dataclasses.replace(training, epochs=BEFORE["epochs"])
        preprocess.color_mode = BEFORE["color_mode"]
        preprocess.augment.flip = BEFORE["flip"]
    if quick:
        training = dataclasses.replace(training, time_budget=QUICK_TRAIN_BUDGET_S)
    logs: list[str] = []

    def on_event(event: Any) -> None:
        if isinstance(event, Log) and event.message.startswith(("Auto chose", "Auto epochs")):
            logs.append(event.message)

    request = TrainRequest(kind, dataset, preprocess, kind.default_model(), training)
    start = time.perf_counter()
    run = kind.train(request, on_event=on_event)
    seconds = time.perf_counter() - start
    result = run.result
    diagnosis = getattr(run, "diagnosis", None)
    return {
        "accuracy": run.report["metrics"].get("accuracy"),
        "seconds": round(seconds, 1),
        "epochs": int(result.epochs_run),
        "best_epoch": int(result.best_epoch) + 1,
        "stopped": result.stopped_reason,
        "diagnosis": getattr(diagnosis, "kind", None),
        "color_mode": run.metadata.get("color_mode"),
        "image_size": run.metadata.get("image_size"),
        "auto": logs,
        "same_split": _same_split(run, split),
    }


def search(kind: Any, dataset: Any, split: Any, budget_s: float) -> dict[str, Any]:
    """The app's image search with ``budget_s`` seconds."""
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.tune.search.jobs import SearchRequest
    from automl_gui.core.tune.search.jobs import search as run_search
    from automl_gui.core.tune.search.space import SearchConfig

    config = SearchConfig(time_budget=float(budget_s), seed=SEED)
    epochs = kind.search_epochs()
    if epochs:
        config.max_epochs = int(epochs)
    request = SearchRequest(
        kind,
        dataset,
        kind.default_preprocess(dataset),
        kind.default_model(),
        config,
        TrainConfig(seed=SEED),
    )
    start = time.perf_counter()
    run = run_search(request)
    trials = [r for r in run.leaderboard if r.status != "baseline"]
    best = run.best_trial.hyperparameters if run.best_trial else {}
    return {
        "accuracy": run.report["metrics"].get("accuracy"),
        "seconds": round(time.perf_counter() - start, 1),
        "trials": len(trials),
        "kept": {k: best.get(k) for k in ("architecture", "image_size", "cnn_width", "augment")},
        "same_split": _same_split(run, split),
    }


def measure(
    name: str, budget_s: float, quick: bool, folder: Path, before: bool = False
) -> dict[str, Any]:
    """One set: write it, scan it, split it; the baseline, the default training, the search."""
    from automl_gui.core.kinds import kind_named
    from automl_gui.core.models.images import auto_image_size
    from automl_gui.core.preprocess.images import split_images

    kind = kind_named("images")
    root = WRITERS[name](folder / name, QUICK_IMAGES if quick else None)
    dataset = kind.load(root)
    preprocess = kind.default_preprocess(dataset)
    split = split_images(dataset, preprocess)
    stats = dataset.size_stats()
    gray = set(stats["modes"]) <= {"L", "1", "I", "I;16", "F", "LA"}
    size = auto_image_size("cnn", stats)
    row: dict[str, Any] = {
        "section": "images",
        "dataset": name,
        "n": len(dataset.items),
        "classes": len(split.class_names),
        "metric": "accuracy",
        "pixels": f"{size}×{size} {'gray' if gray else 'RGB'}",
    }
    row["baseline_detail"] = baseline(split, size, gray)
    row["baseline"] = row["baseline_detail"]["accuracy"]
    detail = default_training(kind, dataset, split, quick, before)
    row["default_detail"] = detail
    row["default"], row["default_s"] = detail["accuracy"], detail["seconds"]
    row["search"] = None
    if not quick and budget_s > 0:
        row["search_detail"] = search(kind, dataset, split, budget_s)
        row["search"] = row["search_detail"]["accuracy"]
        row["search_s"] = row["search_detail"]["seconds"]
    return row


def rows(
    budget_s: float, quick: bool, names: tuple[str, ...] = SETS, before: bool = False
) -> list[dict[str, Any]]:
    """One row per image set (module docstring); ``quick``: ≤ 600 images per set, the
    default training within 60 s, no search; ``before``: :data:`BEFORE`'s settings."""
    out = []
    with tempfile.TemporaryDirectory(prefix="quality_images_") as tmp:
        for name in names:
            out.append(measure(name, budget_s, quick, Path(tmp), before))
    return out


if __name__ == "__main__":  # a quick look without bench_quality.py: python _quality_images.py
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS), choices=SETS)
    parser.add_argument("--budget", type=float, default=120.0, help="search seconds per set")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--before", action="store_true", help="the defaults before issue 17")
    args = parser.parse_args()
    for row in rows(args.budget, args.quick, tuple(args.sets), args.before):
        print(json.dumps(row, default=str), flush=True)
