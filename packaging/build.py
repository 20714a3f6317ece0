"""Build the one-folder app, render its icons, and check it with the smoke test.

    .venv/bin/python packaging/build.py icons     # app.svg -> packaging/icons/*.png, .ico, .icns
    .venv/bin/python packaging/build.py bundle    # pyinstaller packaging/automl-gui.spec
    .venv/bin/python packaging/build.py smoke     # <bundle>/automl-gui --smoke-test, headless
    .venv/bin/python packaging/build.py all       # the three, in that order (make bundle)

The bundle goes to ``build/dist/automl-gui`` (``--dist`` changes it; ``build/`` is ignored by
git). After a build it prints the time it took, the folder's size and its file count: the
figures packaging/README.md quotes. Icons need PySide6 (QSvgRenderer) and Pillow (.ico,
.icns), both dependencies of the app; PyInstaller comes with ``pip install -e ".[packaging]"``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "automl-gui.spec"
SVG = ROOT / "resources" / "icons" / "app.svg"
ICONS = ROOT / "packaging" / "icons"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
NAME = "automl-gui"
SMOKE_TIMEOUT_S = 300


def render_icons(out: Path = ICONS, sizes: tuple[int, ...] = ICON_SIZES) -> list[Path]:
    """Render app.svg to ``automl-gui-<n>.png`` for each size, plus ``automl-gui.ico``
    (Windows) and ``automl-gui.icns`` (macOS) made from them; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"Cannot read the icon {SVG}: is it a valid SVG file?")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out / f"{NAME}-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"Could not write {path}.")
        written.append(path)
    largest = Image.open(out / f"{NAME}-{max(sizes)}.png").convert("RGBA")
    ico = out / f"{NAME}.ico"
    largest.save(ico, sizes=[(s, s) for s in sizes if s <= 256])
    icns = out / f"{NAME}.icns"
    largest.save(icns, format="ICNS")
    written += [ico, icns]
    return written


def folder_size(path: Path) -> tuple[int, int]:
    """(bytes, files) under ``path``, links not followed."""
    total = count = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            file = Path(dirpath) / name
            if not file.is_symlink():
                total += file.stat().st_size
            count += 1
    return total, count


def build_bundle(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; returns the app folder. Prints time, size and file count."""
    pyinstaller = shutil.which("pyinstaller", path=str(Path(sys.executable).parent))
    if pyinstaller is None:
        raise SystemExit(
            "PyInstaller is not installed in this environment: run "
            "'pip install -e \".[packaging]\"' first."
        )
    if not (ICONS / f"{NAME}-256.png").is_file():
        render_icons()
    command = [
        pyinstaller,
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    print("$ " + " ".join(command), flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    app = dist / NAME
    size, files = folder_size(app)
    print(
        f"built {app} in {seconds / 60:.1f} min: {size / 2**20:,.0f} MiB, {files:,} files",
        flush=True,
    )
    return app


def executable(app: Path) -> Path:
    """The app's executable in a one-folder build (``.exe`` on Windows)."""
    return app / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def smoke(app: Path, timeout: float = SMOKE_TIMEOUT_S) -> int:
    """Run ``<app>/automl-gui --smoke-test`` headless; returns its exit status."""
    exe = executable(app)
    if not exe.is_file():
        print(f"No app at {exe}: build it first ('packaging/build.py bundle').", file=sys.stderr)
        return 1
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TF_CPP_MIN_LOG_LEVEL": "2"}
    start = time.perf_counter()
    try:
        done = subprocess.run([str(exe), "--smoke-test"], env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"The smoke test did not end in {timeout:.0f} s.", file=sys.stderr)
        return 1
    print(f"smoke test exit status {done.returncode} after {time.perf_counter() - start:.1f} s")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "step", choices=["icons", "bundle", "smoke", "all"], nargs="?", default="all"
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "build" / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "work", help="temp folder")
    args = parser.parse_args(argv)
    if args.step in ("icons", "all"):
        for path in render_icons():
            print(f"wrote {path.relative_to(ROOT)}")
    if args.step in ("bundle", "all"):
        build_bundle(args.dist, args.work)
    if args.step in ("smoke", "all"):
        return smoke(args.dist / NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
