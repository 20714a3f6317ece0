"""automl_gui.display_check: finds missing xcb libraries from ``ldconfig -p`` and acts on them
(``make run``), and says in one line what keeps Qt from opening a window (the app, before Qt)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import automl_gui.display_check as display_check

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def mod(monkeypatch):
    monkeypatch.setattr(display_check.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    return display_check


def _ldconfig(sonames: list[str]) -> str:
    lines = [f"{len(sonames) + 1} libs found in cache `/etc/ld.so.cache'"]
    lines.append(
        "\tlibc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib/x86_64-linux-gnu/libc.so.6"
    )
    lines += [f"\t{s} (libc6,x86-64) => /lib/x86_64-linux-gnu/{s}" for s in sonames]
    return "\n".join(lines) + "\n"


def _all_but(mod, *packages: str) -> str:
    return _ldconfig([so for pkg, so in mod.REQUIRED.items() if pkg not in packages])


class _Recorder:
    def __init__(self, codes: list[int]) -> None:
        self.codes = list(codes)
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str]) -> int:
        self.calls.append(list(args))
        return self.codes.pop(0) if self.codes else 0


def test_parses_ldconfig_and_reports_only_missing(mod):
    text = _all_but(mod, "libxcb-cursor0", "libegl1")
    assert "libGL.so.1" in mod.cached_sonames(text)
    assert "libEGL.so.1" not in mod.cached_sonames(text)
    assert mod.missing_packages(text) == ["libxcb-cursor0", "libegl1"]
    assert mod.missing_packages(_all_but(mod)) == []


def test_nothing_missing_is_silent(mod, monkeypatch, capsys):
    monkeypatch.setattr(mod, "ldconfig_output", lambda: _all_but(mod))
    apt = _Recorder([])
    monkeypatch.setattr(mod, "_apt", apt)
    assert mod.main(["--install"]) == 0
    assert apt.calls == []
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_non_linux_and_headless_are_silent(mod, monkeypatch, capsys):
    monkeypatch.setattr(mod, "ldconfig_output", lambda: _ldconfig([]))
    monkeypatch.setattr(mod.sys, "platform", "darwin")
    assert mod.main(["--install"]) == 0
    monkeypatch.setattr(mod.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert mod.main([]) == 0
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_not_root_prints_exact_sudo_command(mod, monkeypatch, capsys):
    monkeypatch.setattr(mod, "ldconfig_output", lambda: _all_but(mod, "libxcb-cursor0", "libgl1"))
    monkeypatch.setattr(mod, "_is_root", lambda: False)
    monkeypatch.setattr(mod.shutil, "which", lambda name: "/usr/bin/" + name)
    apt = _Recorder([])
    monkeypatch.setattr(mod, "_apt", apt)
    assert mod.main(["--install"]) == 1
    assert apt.calls == []  # never tries to install without root
    err = capsys.readouterr().err
    assert "sudo apt-get install -y libxcb-cursor0 libgl1" in err
    assert "libxcb-cursor.so.0" in err


@pytest.mark.parametrize("package", ["libxkbcommon-x11-0", "libpulse0"])
def test_root_installs_missing_packages(mod, monkeypatch, package):
    monkeypatch.setattr(mod, "ldconfig_output", lambda: _all_but(mod, package))
    monkeypatch.setattr(mod, "_is_root", lambda: True)
    monkeypatch.setattr(mod.shutil, "which", lambda name: "/usr/bin/" + name)
    apt = _Recorder([0])
    monkeypatch.setattr(mod, "_apt", apt)
    assert mod.main(["--install"]) == 0
    assert apt.calls == [["apt-get", "install", "-y", package]]


def test_root_install_failure_updates_index_and_retries(mod, monkeypatch):
    monkeypatch.setattr(mod, "ldconfig_output", lambda: _all_but(mod, "libegl1"))
    monkeypatch.setattr(mod, "_is_root", lambda: True)
    monkeypatch.setattr(mod.shutil, "which", lambda name: "/usr/bin/" + name)
    apt = _Recorder([100, 0, 0])
    monkeypatch.setattr(mod, "_apt", apt)
    assert mod.main(["--install"]) == 0
    assert apt.calls == [
        ["apt-get", "install", "-y", "libegl1"],
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "libegl1"],
    ]


def test_root_without_install_flag_only_reports(mod, monkeypatch, capsys):
    monkeypatch.setattr(mod, "ldconfig_output", lambda: _all_but(mod, "libegl1"))
    monkeypatch.setattr(mod, "_is_root", lambda: True)
    monkeypatch.setattr(mod.shutil, "which", lambda name: "/usr/bin/" + name)
    apt = _Recorder([])
    monkeypatch.setattr(mod, "_apt", apt)
    assert mod.main([]) == 1
    assert apt.calls == []
    assert "apt-get install -y libegl1" in capsys.readouterr().err


def test_real_ldconfig_runs_on_linux(mod):
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    text = mod.ldconfig_output()
    if text is None:
        pytest.skip("no ldconfig on this system")
    assert "libc.so.6" in mod.cached_sonames(text)


def test_missing_pulseaudio_is_named_as_needed_for_sound(mod, monkeypatch, capsys):
    assert mod.REQUIRED["libpulse0"] == "libpulse.so.0"
    assert mod.missing_packages(_all_but(mod, "libpulse0")) == ["libpulse0"]
    monkeypatch.setattr(mod, "ldconfig_output", lambda: _all_but(mod, "libpulse0", "libegl1"))
    monkeypatch.setattr(mod, "_is_root", lambda: False)
    monkeypatch.setattr(mod.shutil, "which", lambda name: "/usr/bin/" + name)
    assert mod.main([]) == 1
    err = capsys.readouterr().err
    assert "sound playback (QtMultimedia) that are missing: libpulse.so.0" in err
    assert "window system plugin (xcb) that are missing: libEGL.so.1" in err
    assert "sudo apt-get install -y libegl1 libpulse0" in err


# -- the window's check: its inputs given (environment, the libraries found) -----------------
XCB_SONAMES = {so for pkg, so in display_check.REQUIRED.items() if pkg != "libpulse0"}


def test_a_desktop_with_every_library_has_no_problem():
    assert display_check.window_problems({"DISPLAY": ":0"}, XCB_SONAMES, "linux") == []
    wayland = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    assert display_check.window_problems(wayland, set(), "linux") == []  # xcb not used
    assert display_check.window_problems({}, set(), "darwin") == []
    assert display_check.window_problems({"QT_QPA_PLATFORM": "offscreen"}, set(), "linux") == []
    assert display_check.window_problems({"QT_QPA_PLATFORM": "vnc"}, set(), "linux") == []


@pytest.mark.parametrize(
    "env",
    [{}, {"QT_QPA_PLATFORM": ""}, {"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w-0"}],
)
def test_no_display_is_one_line_saying_so(env):
    assert display_check.window_problems(env, XCB_SONAMES, "linux") == [display_check.NO_DISPLAY]
    assert "no display" in display_check.NO_DISPLAY and "xvfb-run" in display_check.NO_DISPLAY


def test_missing_xcb_libraries_are_one_line_with_the_install_command(monkeypatch):
    monkeypatch.setattr(display_check.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(display_check, "_is_root", lambda: False)
    found = XCB_SONAMES - {"libxcb-cursor.so.0", "libEGL.so.1"}  # pulse is not the window's
    problems = display_check.window_problems({"DISPLAY": ":0"}, found, "linux")
    assert len(problems) == 1 and "\n" not in problems[0]
    assert "libxcb-cursor.so.0, libEGL.so.1" in problems[0]
    assert problems[0].endswith("sudo apt-get install -y libxcb-cursor0 libegl1")
    monkeypatch.setattr(display_check.shutil, "which", lambda name: None)  # no apt-get
    problems = display_check.window_problems({"DISPLAY": ":0"}, found, "linux")
    assert "Debian/Ubuntu names: libxcb-cursor0 libegl1" in problems[0]
    # both: no display and no libraries, one line each
    assert len(display_check.window_problems({}, set(), "linux")) == 2


def test_the_app_stops_before_qt_with_the_check_lines(monkeypatch, capsys):
    from automl_gui.gui import app

    monkeypatch.setattr(app, "check_window", lambda: ["automl-gui: no display (test)"])
    monkeypatch.setattr(app, "create_application", lambda: pytest.fail("Qt was started"))
    assert app.run_app([]) == 1
    assert capsys.readouterr().err == "automl-gui: no display (test)\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_without_a_display_the_console_entry_prints_one_line_and_no_qt_text():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = ""
    proc = subprocess.run(
        [sys.executable, "-m", "automl_gui"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    text = display_check.ldconfig_output()
    found = display_check.cached_sonames(text) if text is not None else None
    expected = display_check.window_problems(env, found)
    assert display_check.NO_DISPLAY in expected
    assert proc.stderr.splitlines() == expected
    assert "qt.qpa" not in proc.stderr and "Aborted" not in proc.stderr
    assert proc.stdout == ""
