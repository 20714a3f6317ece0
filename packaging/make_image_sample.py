"""Generate the demo image folder ``resources/samples/shapes/``.

Three classes (circle, square, triangle), one subfolder each, drawn with a fixed seed so the
folder is reproducible: ``.venv/bin/python packaging/make_image_sample.py``. The shapes are
drawn by the same code the tests use (``tests/image_factory.py``), in JPEG and WebP at
varied sizes, so File → Open Image Sample shows the whole image workflow in a minute on a CPU.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "resources" / "samples" / "shapes"
PER_CLASS = 40
SEED = 7


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from image_factory import make_class_folders

    if args.out.exists():
        shutil.rmtree(args.out)
    make_class_folders(
        args.out,
        per_class=PER_CLASS,
        size=(64, 64),
        formats=("jpg", "webp"),
        modes=False,
        seed=SEED,
    )
    files = sorted(p for p in args.out.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} images ({size / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
