"""The desktop package: the PyInstaller spec, the desktop files, and the smoke test.

Fast tests read the spec (run with stand-ins for PyInstaller's build steps, so nothing is
built), the .desktop entry, the AppStream file and the icons. ``--smoke-test`` runs from the
source tree (it trains the sample for 2 epochs in the engine process). The tests marked
``bundle`` build the real one-folder app and start it headless; they run only with
``pytest --build-bundle`` (``--bundle-dir build/dist/automl-gui`` reuses a built one).
"""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "automl-gui.spec"
SMOKE_OK = re.compile(r"smoke test ok: .*trained 2 epochs, test accuracy (\d\.\d+)")


def _headless_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "CUDA_VISIBLE_DEVICES": "",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path / "home"),
    }


# -- the spec, without building -------------------------------------------------------------------
class _Recorder:
    """Stand-ins for the names PyInstaller gives a spec (Analysis, PYZ, EXE, COLLECT, BUNDLE)."""

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[tuple, dict]]] = {}

    def make(self, kind: str):
        def build(*args, **kwargs):
            self.calls.setdefault(kind, []).append((args, kwargs))
            datas = [(dest, src, "DATA") for src, dest in kwargs.get("datas", [])]
            return SimpleNamespace(
                kind=kind, args=args, kwargs=kwargs, datas=datas, pure=[], scripts=[], binaries=[]
            )

        return build


@pytest.fixture(scope="module")
def spec_run(monkeypatch_module) -> tuple[_Recorder, dict]:
    """Execute the spec with the build steps recorded and the (slow) module collection
    replaced by a marker per package."""
    import PyInstaller.utils.hooks as hooks

    monkeypatch_module.setattr(hooks, "collect_submodules", lambda pkg, **_: [f"<all of {pkg}>"])
    monkeypatch_module.setattr(hooks, "collect_data_files", lambda pkg, **_: [])
    monkeypatch_module.setattr(hooks, "collect_dynamic_libs", lambda pkg, **_: [])
    recorder = _Recorder()
    namespace = {
        "SPECPATH": str(PACKAGING),
        "__file__": str(SPEC),
        **{name: recorder.make(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")},
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return recorder, namespace


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_spec_builds_the_app_from_the_package_entry_point(spec_run):
    recorder, _ = spec_run
    (scripts,), kwargs = recorder.calls["Analysis"][0]
    assert [Path(s) for s in scripts] == [ROOT / "automl_gui" / "__main__.py"]
    # the entry point calls freeze_support before anything else (the engine is a spawned child)
    main_source = (ROOT / "automl_gui" / "__main__.py").read_text(encoding="utf-8")
    assert main_source.index("freeze_support()") < main_source.index("from automl_gui")
    (_, collect_kwargs) = recorder.calls["COLLECT"][0]
    assert collect_kwargs["name"] == "automl-gui"
    exe_names = [kw["name"] for _, kw in recorder.calls["EXE"]]
    assert exe_names[0] == "automl-gui"
    # every module of the package (job strings and pages are imported by name) and the lazy ones
    hidden = kwargs["hiddenimports"]
    for name in ("<all of automl_gui>", "<all of keras_tuner>", "<all of tf2onnx>"):
        assert name in hidden
    assert "PySide6.QtMultimedia" in hidden and "soundfile" in hidden
    assert {"tests", "matplotlib", "tkinter"} <= set(kwargs["excludes"])


def test_spec_bundles_the_resources_and_the_weights_manifest(spec_run):
    recorder, _ = spec_run
    _, kwargs = recorder.calls["Analysis"][0]
    datas = {dest: Path(src) for src, dest in kwargs["datas"] if Path(src).is_dir()}
    assert datas["automl_gui/resources"] == ROOT / "resources"
    files = {(Path(src).name, dest) for src, dest in kwargs["datas"] if Path(src).is_file()}
    assert {("manifest.json", "models/pretrained"), ("README.md", "models/pretrained")} <= files
    for src, _dest in kwargs["datas"]:
        assert Path(src).exists(), src
    # where the code looks for them in the bundle: the folder above the package
    weights = (ROOT / "automl_gui" / "core" / "models" / "weights.py").read_text(encoding="utf-8")
    assert 'REPO_ROOT / "models" / "pretrained"' in weights
    assert (ROOT / "resources" / "samples" / "customer_churn.csv").is_file()


def test_spec_macos_bundle_and_windows_icons(spec_run):
    _, namespace = spec_run
    assert namespace["BUNDLE_ID"] == "io.github.automl_gui"
    assert re.fullmatch(r"\d+\.\d+\.\d+", namespace["VERSION"])
    icons = namespace["ICONS"]
    assert (icons / "automl-gui.ico").is_file() and (icons / "automl-gui.icns").is_file()


# -- desktop files and icons ---------------------------------------------------------------------
def test_icons_are_rendered_at_every_size():
    from PIL import Image

    for size in (16, 32, 48, 64, 128, 256, 512):
        with Image.open(PACKAGING / "icons" / f"automl-gui-{size}.png") as image:
            assert image.size == (size, size) and image.mode == "RGBA"
    with Image.open(PACKAGING / "icons" / "automl-gui.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]


def test_desktop_entry_and_metainfo_agree():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "automl-gui.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"].split()[0] == "automl-gui"
    assert desktop["Icon"] == "io.github.automl_gui"
    assert desktop["Type"] == "Application"
    root = ET.parse(PACKAGING / "io.github.automl_gui.metainfo.xml").getroot()
    assert root.findtext("id") == "io.github.automl_gui"
    assert root.findtext("launchable") == "automl-gui.desktop"
    assert root.find("provides/binary").text == "automl-gui"
    for shot in root.iterfind("screenshots/screenshot/image"):
        name = shot.text.rsplit("/", 1)[-1]
        assert (ROOT / "docs" / name).is_file(), f"screenshot {name} is not in docs/"


# -- the smoke test from the source tree ---------------------------------------------------------
def test_smoke_test_without_engine_only_loads_the_sample(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "automl_gui", "--smoke-test", "--no-engine"],
        capture_output=True,
        text=True,
        env=_headless_env(tmp_path),
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "smoke test ok:" in done.stdout and "engine not loaded" in done.stdout
    assert "trained" not in done.stdout


def test_smoke_test_trains_the_sample_in_the_engine_process(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "automl_gui", "--smoke-test"],
        capture_output=True,
        text=True,
        env=_headless_env(tmp_path),
        timeout=360,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    match = SMOKE_OK.search(done.stdout)
    assert match, done.stdout
    assert float(match.group(1)) > 0.5  # the churn sample is learnable in 2 epochs
    assert not (tmp_path / "runs").exists()  # the smoke test leaves nothing in the folder


def test_smoke_test_failure_exits_1_with_the_reason(monkeypatch, capsys):
    """No sample dataset: a clear reason on stderr and exit 1 (no window loop, no hang)."""
    from automl_gui.gui import _smoke

    monkeypatch.setattr(_smoke.app_settings, "sample_dataset_path", lambda: None)
    window = SimpleNamespace(state=SimpleNamespace())
    smoke = _smoke.SmokeTest(None, window, need_engine=True, t0=0.0)
    assert smoke.run() == 1
    assert "smoke test failed: no sample dataset" in capsys.readouterr().err


# -- the real bundle (pytest --build-bundle) -----------------------------------------------------
@pytest.fixture(scope="module")
def bundle_dir(request, tmp_path_factory) -> Path:
    given = request.config.getoption("--bundle-dir")
    if given:
        app = Path(given).resolve()
        if not app.is_dir():
            pytest.fail(f"--bundle-dir {app} is not a folder: build it or leave the option out")
        return app
    sys.path.insert(0, str(PACKAGING))
    try:
        import build as packaging_build
    finally:
        sys.path.remove(str(PACKAGING))
    out = tmp_path_factory.mktemp("bundle")
    return packaging_build.build_bundle(out / "dist", out / "work")


def _bundle_exe(app: Path) -> Path:
    return app / ("automl-gui.exe" if sys.platform == "win32" else "automl-gui")


@pytest.mark.bundle
def test_bundle_smoke_test_trains_headless(bundle_dir, tmp_path):
    done = subprocess.run(
        [str(_bundle_exe(bundle_dir)), "--smoke-test"],
        capture_output=True,
        text=True,
        env=_headless_env(tmp_path),
        timeout=400,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert SMOKE_OK.search(done.stdout), done.stdout


@pytest.mark.bundle
def test_bundle_command_line_runs_headless(bundle_dir, tmp_path):
    env = _headless_env(tmp_path)
    env.pop("QT_QPA_PLATFORM")  # the command line needs no display at all
    info = subprocess.run(
        [str(_bundle_exe(bundle_dir)), "info"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert info.returncode == 0, info.stderr[-4000:]
    assert "training plan:" in info.stdout
    # library versions come from the bundled package metadata; the manifest is found inside
    assert re.search(r"tensorflow\s+\d+\.\d+", info.stdout), info.stdout
    assert "resnet50:" in info.stdout
    sample = (
        bundle_dir / "_internal" / "automl_gui" / "resources" / "samples" / "customer_churn.csv"
    )
    if not sample.is_file():  # older PyInstaller layouts keep data beside the executable
        sample = bundle_dir / "automl_gui" / "resources" / "samples" / "customer_churn.csv"
    train = subprocess.run(
        [str(_bundle_exe(bundle_dir)), "train", str(sample), "--target", "churn", "--epochs", "1"]
        + ["--out", str(tmp_path / "run"), "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert train.returncode == 0, train.stderr[-4000:]
    assert (tmp_path / "run" / "model.keras").is_file()
    # the lazily imported exporters and their runtimes (tf2onnx + onnxruntime, LiteRT)
    for fmt in ("onnx", "tflite"):
        export = subprocess.run(
            [str(_bundle_exe(bundle_dir)), "export", str(tmp_path / "run"), "--format", fmt]
            + ["--out", str(tmp_path / f"model-{fmt}")],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            cwd=tmp_path,
        )
        assert export.returncode == 0, export.stderr[-4000:]
        assert "agreement 100%" in export.stdout, export.stdout
