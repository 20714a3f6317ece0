"""Test setup: headless Qt, quiet TensorFlow, deterministic seeds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

# Qt's default settings store lives under XDG_CONFIG_HOME: keep the tests' writes (recent
# files, remembered folders) out of the developer's own configuration. Each pytest-xdist worker
# gets its own folder (workers inherit the first process's environment, and two processes
# sharing one settings file would see each other's recent files).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if "AUTOML_GUI_TEST_CONFIG" not in os.environ or (
    _WORKER and os.environ.get("AUTOML_GUI_TEST_CONFIG_WORKER") != _WORKER
):
    import tempfile

    _inherited = os.environ.get("AUTOML_GUI_TEST_CONFIG")
    os.environ["AUTOML_GUI_TEST_CONFIG"] = tempfile.mkdtemp(
        prefix=f"automl-gui-test-config-{_WORKER or 'main'}-"
    )
    os.environ["AUTOML_GUI_TEST_CONFIG_WORKER"] = _WORKER
    os.environ["XDG_CONFIG_HOME"] = os.environ["AUTOML_GUI_TEST_CONFIG"]
    # and the app's own files (saved AutoML searches) out of the developer's data folder
    data_dir = os.environ.get("AUTOML_GUI_DATA_DIR")
    if data_dir is None or (_inherited and data_dir.startswith(_inherited)):
        os.environ["AUTOML_GUI_DATA_DIR"] = os.path.join(os.environ["XDG_CONFIG_HOME"], "data")


def pytest_addoption(parser):
    """``--build-bundle`` runs the tests marked ``bundle`` (they build the PyInstaller app,
    ~10+ minutes); ``--bundle-dir`` points them at an app folder already built instead."""
    group = parser.getgroup("automl-gui bundle")
    group.addoption(
        "--build-bundle",
        action="store_true",
        default=False,
        help="run the tests marked 'bundle': build the one-folder app and smoke-test it",
    )
    group.addoption(
        "--bundle-dir",
        default=None,
        help="with --build-bundle: an already built app folder (e.g. build/dist/automl-gui) "
        "to test instead of building one",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bundle: builds the PyInstaller app (skipped unless --build-bundle is given)"
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--build-bundle"):
        return
    import pytest

    skip = pytest.mark.skip(reason="builds the desktop bundle: give --build-bundle to run it")
    for item in items:
        if "bundle" in item.keywords:
            item.add_marker(skip)
