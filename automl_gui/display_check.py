"""Can Qt open a window here? The check the app runs before it creates its QApplication, and
``make run`` runs (with ``--install``) before it starts the app.

Without a display, or with the Linux libraries Qt's xcb platform plugin needs missing, Qt
aborts with a page of its own text ("could not connect to display", "Could not load the Qt
platform plugin "xcb""). :func:`window_problems` says instead, in one line each, what is
missing and the exact command that fixes it. PySide6 wheels bundle Qt itself but not these
X11/OpenGL libraries. QtMultimedia (playing audio clips) also needs PulseAudio's client
library: without ``libpulse.so.0`` the app shows clips but cannot play them, so the window's
check leaves it out and only ``make run`` installs it.

Standard library only (it runs before Qt is imported, and under the system Python):

    python3 -m automl_gui.display_check            # print what is missing (exit 1 if anything)
    python3 -m automl_gui.display_check --install  # root + apt-get: install what is missing

Silent exit 0 on other systems, when nothing is missing, or when Qt will not use xcb
(``QT_QPA_PLATFORM=offscreen`` or ``minimal``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping

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
# the platforms that need a display server named by the environment (Qt's others, such as
# eglfs, linuxfb or vnc, report for themselves)
DISPLAY_PLATFORMS = {"", "xcb", "wayland"}
NO_DISPLAY = (
    "automl-gui: no display (neither DISPLAY nor WAYLAND_DISPLAY is set): run it on a desktop, "
    "or put xvfb-run -a before the same command (install it with: sudo apt-get install -y xvfb)"
)
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


def how_to_install(packages: list[str]) -> str:
    """The exact command that installs ``packages`` here (or their names, without apt-get)."""
    if shutil.which("apt-get") is not None:
        return " ".join(install_command(packages, sudo=not _is_root()))
    return "your system's package manager (Debian/Ubuntu names: " + " ".join(packages) + ")"


def qt_platform(env: Mapping[str, str]) -> str:
    """The platform plugin Qt will try first: ``QT_QPA_PLATFORM``'s first name (without its
    options), else what Qt picks on Linux ("wayland" in a Wayland session, else "xcb")."""
    requested = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested:
        return requested
    wayland = env.get("XDG_SESSION_TYPE", "") == "wayland" and env.get("WAYLAND_DISPLAY")
    return "wayland" if wayland else "xcb"


def window_problems(
    env: Mapping[str, str], sonames: set[str] | None, system: str = sys.platform
) -> list[str]:
    """Why Qt cannot open a window here, one line each ([] when it can, or cannot tell).

    Args:
        env: the environment (``os.environ``).
        sonames: the shared libraries the system has (:func:`cached_sonames`); None when
            unknown, which skips the library check.
        system: ``sys.platform`` (only Linux is checked).
    """
    if not system.startswith("linux"):
        return []
    requested = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested not in DISPLAY_PLATFORMS:
        return []  # offscreen, minimal (no display needed), or a platform Qt reports itself
    platform = qt_platform(env)
    problems = []
    needs = {"xcb": ("DISPLAY",), "wayland": ("WAYLAND_DISPLAY",)}.get(platform, ())
    if requested == "":
        needs = ("DISPLAY", "WAYLAND_DISPLAY")  # either will do
    if not any(env.get(name) for name in needs):
        problems.append(NO_DISPLAY)
    if platform == "xcb" and sonames is not None:
        missing = [p for p, so in REQUIRED.items() if p not in PURPOSE and so not in sonames]
        if missing:
            libs = ", ".join(REQUIRED[p] for p in missing)
            problems.append(
                f"automl-gui: cannot open the window: Qt's xcb platform plugin needs {libs}, "
                f"which this system lacks; install them with: {how_to_install(missing)}"
            )
    return problems


def check_window() -> list[str]:
    """:func:`window_problems` for this process (runs ``ldconfig -p`` only on Linux)."""
    if not sys.platform.startswith("linux"):
        return []
    text = ldconfig_output() if qt_platform(os.environ) == "xcb" else None
    return window_problems(os.environ, cached_sonames(text) if text is not None else None)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _apt(args: list[str]) -> int:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        return subprocess.run(args, env=env, check=False).returncode
    except OSError as exc:
        print(f"display_check: could not run {args[0]}: {exc}", file=sys.stderr)
        return 1


def install(packages: list[str]) -> bool:
    """Install ``packages`` with apt-get (root only); on failure refresh the index and retry."""
    if _apt(install_command(packages, sudo=False)) == 0:
        return True
    if _apt(["apt-get", "update"]) != 0:
        return False
    return _apt(install_command(packages, sudo=False)) == 0


def main(argv: list[str] | None = None) -> int:
    """Check the libraries (sound's too); with ``--install`` try to install the missing ones.

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
        print("display_check: apt-get could not install them.", file=sys.stderr)
        print("Try: " + " ".join(install_command(missing, sudo=False)), file=sys.stderr)
        return 1
    print("Install them with:", file=sys.stderr)
    print("  " + how_to_install(missing), file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
