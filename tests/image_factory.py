"""Generated image datasets for tests: shapes and colours the test draws, never downloads.

Each class is a shape with its own colour on a noisy background, at random positions and sizes,
so a tiny CNN learns it in a few epochs. Images vary in size and format (and some in colour
mode) so resizing and format conversion are exercised on every run.

Import as ``from image_factory import ...`` (``tests/`` is on sys.path through its conftest).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

CLASSES = ("circle", "square", "triangle")
COLOURS = {"circle": (220, 40, 40), "square": (40, 80, 220), "triangle": (40, 180, 60)}
FORMATS = ("png", "jpg", "bmp", "gif", "webp")


def draw(label: str, size: tuple[int, int] = (40, 40), seed: int = 0) -> Image.Image:
    """One RGB image of class ``label`` (any name: unknown names get a colour from their hash)."""
    rng = np.random.default_rng(seed)
    w, h = size
    noise = rng.integers(0, 60, (h, w, 3), dtype=np.uint8) + 100
    img = Image.fromarray(noise.astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    colour = COLOURS.get(label)
    if colour is None:
        k = sum(map(ord, label))
        colour = ((k * 53) % 256, (k * 97) % 256, (k * 193) % 256)
    r = max(3, int(min(w, h) * rng.uniform(0.25, 0.4)))
    cx = int(rng.uniform(r, w - r)) if w > 2 * r else w // 2
    cy = int(rng.uniform(r, h - r)) if h > 2 * r else h // 2
    shape = label if label in CLASSES else CLASSES[sum(map(ord, label)) % 3]
    if shape == "circle":
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    elif shape == "square":
        d.rectangle([cx - r, cy - r, cx + r, cy + r], fill=colour)
    else:
        d.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)
    return img


def save(img: Image.Image, path: Path, fmt: str, mode: str | None = None) -> Path:
    """Save ``img`` as ``fmt`` (png, jpg, bmp, gif, webp), optionally converted to ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "RGBA":
        img = img.convert("RGBA")
    elif mode == "L":
        img = img.convert("L")
    elif mode == "P" or fmt == "gif":
        img = img.convert("P", palette=Image.Palette.ADAPTIVE)
    if fmt == "jpg" and img.mode in ("RGBA", "P"):
        img = img.convert("RGB")
    pil_format = {"jpg": "JPEG", "png": "PNG", "bmp": "BMP", "gif": "GIF", "webp": "WEBP"}[fmt]
    img.save(path, pil_format)
    return path


def make_class_folders(
    root: str | os.PathLike[str],
    classes: tuple[str, ...] | list[str] = CLASSES,
    per_class: int = 12,
    *,
    size: tuple[int, int] = (40, 40),
    vary_size: bool = True,
    formats: tuple[str, ...] = FORMATS,
    modes: bool = True,
    seed: int = 0,
) -> Path:
    """``root/<class>/<class>_<i>.<fmt>``: one folder per class. Returns ``root``."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    for ci, label in enumerate(classes):
        for i in range(per_class):
            w, h = size
            if vary_size:
                w = int(w * rng.uniform(0.75, 1.5))
                h = int(h * rng.uniform(0.75, 1.5))
            fmt = formats[(i + ci) % len(formats)]
            mode = None
            if modes and fmt in ("png", "webp"):
                mode = ("L", "RGBA", "P", None)[i % 4]
            img = draw(label, (w, h), seed=seed * 100_003 + ci * 1009 + i)
            save(img, root / label / f"{label}_{i:04d}.{fmt}", fmt, mode)
    return root


def make_split_folders(
    root: str | os.PathLike[str],
    classes: tuple[str, ...] | list[str] = CLASSES,
    counts: dict[str, int] | None = None,
    *,
    val_name: str = "val",
    seed: int = 0,
    **kwargs,
) -> Path:
    """``root/train|val|test/<class>/...``: a dataset already split. Returns ``root``."""
    root = Path(root)
    counts = counts or {"train": 10, val_name: 4, "test": 4}
    for k, (split, n) in enumerate(counts.items()):
        make_class_folders(root / split, classes, n, seed=seed + 7 * (k + 1), **kwargs)
    return root


def make_csv_dataset(
    root: str | os.PathLike[str],
    classes: tuple[str, ...] | list[str] = CLASSES,
    per_class: int = 10,
    *,
    path_column: str = "file",
    label_column: str = "label",
    seed: int = 0,
) -> Path:
    """Images in ``root/pictures/`` (no class folders) and ``root/labels.csv`` naming them.

    Paths in the CSV are relative to the CSV. Returns the CSV's path.
    """
    root = Path(root)
    rows = []
    for ci, label in enumerate(classes):
        for i in range(per_class):
            name = f"img_{ci}_{i:03d}.png"
            save(draw(label, (36, 36), seed=seed + ci * 1000 + i), root / "pictures" / name, "png")
            rows.append(f"pictures/{name},{label}")
    csv = root / "labels.csv"
    csv.write_text(f"{path_column},{label_column}\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return csv


# -- broken files -----------------------------------------------------------------------------
def write_zero_bytes(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def write_truncated(path: Path, fmt: str = "jpg", keep: float = 0.5) -> Path:
    """A real image cut after ``keep`` of its bytes (the decoder hits the end of the file)."""
    save(draw("circle", (64, 64), seed=99), path, fmt)
    data = path.read_bytes()
    path.write_bytes(data[: max(16, int(len(data) * keep))])
    return path


def write_not_an_image(path: Path) -> Path:
    """Text saved under an image extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("this is not an image, just text with a .jpg name\n" * 20, encoding="utf-8")
    return path


def write_unreadable(path: Path) -> Path:
    """A path that cannot be read: a dangling symlink (chmod 000 does not stop root)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(path.parent / "does-not-exist.bin", path)
    return path


def write_hidden_and_other(folder: Path) -> tuple[int, int]:
    """A hidden image, a hidden folder with an image, and two non-image files.

    Returns (hidden files written, other files written).
    """
    folder.mkdir(parents=True, exist_ok=True)
    save(draw("circle", (20, 20)), folder / ".hidden.png", "png")
    save(draw("circle", (20, 20)), folder / ".thumbs" / "x.png", "png")
    (folder / "notes.txt").write_text("notes", encoding="utf-8")
    (folder / "Thumbs.db").write_bytes(b"\x00" * 32)
    return 2, 2


# -- pretrained weights files -------------------------------------------------------------------
def save_legacy_notop_weights(model, path: Path) -> Path:
    """Save ``model``'s weights as keras-applications publishes them: a legacy HDF5 file.

    The real ``*_notop.h5`` files cannot be downloaded here; a file written this way from a
    ``weights=None`` backbone goes through exactly the code path the real one would.
    """
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path
