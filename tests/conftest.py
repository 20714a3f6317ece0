"""Test setup: headless Qt, quiet TensorFlow, deterministic seeds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

# Qt's default settings store lives under XDG_CONFIG_HOME: keep the tests' writes (recent
# files, remembered folders) out of the developer's own configuration.
if "AUTOML_GUI_TEST_CONFIG" not in os.environ:
    import tempfile

    os.environ["AUTOML_GUI_TEST_CONFIG"] = tempfile.mkdtemp(prefix="automl-gui-test-config-")
    os.environ["XDG_CONFIG_HOME"] = os.environ["AUTOML_GUI_TEST_CONFIG"]
    # and the app's own files (saved AutoML searches) out of the developer's data folder
    os.environ.setdefault(
        "AUTOML_GUI_DATA_DIR", os.path.join(os.environ["XDG_CONFIG_HOME"], "data")
    )
