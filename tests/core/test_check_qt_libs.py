"""packaging/check_qt_libs.py: finds missing xcb libraries from ``ldconfig -p`` and acts on them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "check_qt_libs.py"


@pytest.fixture()
def mod(monkeypatch):
    spec = importlib.util.spec_from_file_location("check_qt_libs_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    return module


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
