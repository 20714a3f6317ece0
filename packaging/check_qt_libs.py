"""Check (and optionally install) the system libraries Qt needs on Linux for the window and
for sound.

PySide6 wheels bundle Qt itself but not these X11/OpenGL libraries; without them the window
fails to open with "Could not load the Qt platform plugin "xcb"". QtMultimedia (playing
audio clips) also needs PulseAudio's client library: without ``libpulse.so.0``,
``import PySide6.QtMultimedia`` fails (the app then shows clips but cannot play them).
Standard library only, so it runs before the virtual environment exists (``make run`` calls
it with ``--install``).

    python3 packaging/check_qt_libs.py            # print what is missing (exit 1 if anything)
    python3 packaging/check_qt_libs.py --install  # root + apt-get: install what is missing

Silent exit 0 on other systems, when nothing is missing, or when Qt will not use xcb
(``QT_QPA_PLATFORM=offscreen`` or ``minimal``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

# Debian/Ubuntu package -> the shared library (soname) it provides.
REQUIRED: dict[str, str] = {
    "libxcb-cursor0": "libxcb-cursor.so.0",
    "libxkbcommon-x11-0": "libxkbcommon-x11.so.0",
    "libxcb-icccm4": "libxcb-icccm.so.4",
    "libxcb-keysyms1": "libxcb-keysyms.so.1",
    "libxcb-image0": "libxcb-image.so.0",
    "libxcb-render-util0": "libxcb-render-util.so.0",
    "libxcb-shape0": "libxcb-shape.so.0",
    "libegl1": "libEGL.so.1",
    "libgl1": "libGL.so.1",
    "libpulse0": "libpulse.so.0",
}
# What each package is for, in the message (the others are the xcb window plugin's).
PURPOSE: dict[str, str] = {"libpulse0": "sound playback (QtMultimedia)"}
XCB_PURPOSE = "the window system plugin (xcb)"

HEADLESS_PLATFORMS = {"offscreen", "minimal"}
_LDCONFIG_CANDIDATES = ("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig")


def ldconfig_output() -> str | None:
    """Return the text of ``ldconfig -p`` (the linker cache), or None if it cannot be run."""
    for candidate in _LDCONFIG_CANDIDATES:
        exe = shutil.which(candidate) or (candidate if os.path.isfile(candidate) else None)
        if not exe:
            continue
        try:
            proc = subprocess.run(
                [exe, "-p"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if proc.returncode == 0:
            return proc.stdout
    return None


def cached_sonames(text: str) -> set[str]:
    """Parse ``ldconfig -p`` output into the set of library names it lists.

    Lines look like ``\\tlibGL.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libGL.so.1``.
    """
    names: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if "=>" not in line:
            continue
        name = line.split(" ", 1)[0].strip()
        if name:
            names.add(name)
    return names


def missing_packages(text: str) -> list[str]:
    """Return the packages of :data:`REQUIRED` whose library is absent from ``text``."""
    present = cached_sonames(text)
    return [pkg for pkg, soname in REQUIRED.items() if soname not in present]


def describe_missing(packages: list[str]) -> str:
    """One line per purpose: which missing libraries Qt needs for what."""
    groups: dict[str, list[str]] = {}
    for pkg in packages:
        groups.setdefault(PURPOSE.get(pkg, XCB_PURPOSE), []).append(REQUIRED[pkg])
    return "\n".join(
        f"Qt needs libraries for {purpose} that are missing: {', '.join(libs)}"
        for purpose, libs in groups.items()
    )


def install_command(packages: list[str], *, sudo: bool) -> list[str]:
    """The apt-get command line that installs ``packages``."""
    return (["sudo"] if sudo else []) + ["apt-get", "install", "-y", *packages]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _apt(args: list[str]) -> int:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        return subprocess.run(args, env=env, check=False).returncode
    except OSError as exc:
        print(f"check_qt_libs: could not run {args[0]}: {exc}", file=sys.stderr)
        return 1


def install(packages: list[str]) -> bool:
    """Install ``packages`` with apt-get (root only); on failure refresh the index and retry."""
    if _apt(install_command(packages, sudo=False)) == 0:
        return True
    if _apt(["apt-get", "update"]) != 0:
        return False
    return _apt(install_command(packages, sudo=False)) == 0


def main(argv: list[str] | None = None) -> int:
    """Check the libraries; with ``--install`` try to install the missing ones.

    Returns:
        0 when nothing is missing (or not applicable), else 1.
    """
    parser = argparse.ArgumentParser(description="Check the system libraries Qt needs.")
    parser.add_argument(
        "--install", action="store_true", help="install missing packages (root + apt-get)"
    )
    args = parser.parse_args(argv)

    if not sys.platform.startswith("linux"):
        return 0
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in HEADLESS_PLATFORMS:
        return 0
    text = ldconfig_output()
    if text is None:
        return 0  # cannot tell (no ldconfig): let Qt report for itself
    missing = missing_packages(text)
    if not missing:
        return 0

    print(describe_missing(missing), file=sys.stderr)
    has_apt = shutil.which("apt-get") is not None
    if args.install and has_apt and _is_root():
        print("Installing: " + " ".join(missing), file=sys.stderr)
        if install(missing):
            return 0
        print("check_qt_libs: apt-get could not install them.", file=sys.stderr)
        print("Try: " + " ".join(install_command(missing, sudo=False)), file=sys.stderr)
        return 1
    if has_apt:
        print("Install them with:", file=sys.stderr)
        print("  " + " ".join(install_command(missing, sudo=not _is_root())), file=sys.stderr)
    else:
        print(
            "Install the packages that provide them with your system's package manager "
            f"(Debian/Ubuntu names: {' '.join(missing)}).",
            file=sys.stderr,
        )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
