"""The whole image workflow as a user does it, through the real window and the engine process.

Drop an image folder (with a broken file) → Train ▸ Start (the CNN; augmentation off) →
the Evaluate page shows the run → a confusion-matrix cell lists its images → File ▸ Export
Model… → reload the export and check it answers exactly like the model in the app.
"""

from __future__ import annotations

import numpy as np
from gui_helpers import drop
from image_factory import make_class_folders, write_truncated
from PySide6.QtCore import QSettings

from automl_gui.core.export.bundle import load_bundle
from automl_gui.core.kinds.images import IMAGES
from automl_gui.gui.dialogs.export import ExportDialog
from automl_gui.gui.main_window import MainWindow


def test_drop_folder_train_evaluate_export(qtbot, tmp_path, monkeypatch):
    root = make_class_folders(tmp_path / "shapes", per_class=12, size=(32, 32))
    write_truncated(root / "circle" / "cut.jpg", "jpg")
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.state.engine_ready, timeout=120_000)

    with qtbot.waitSignal(window.state.dataset_changed, timeout=60_000):
        drop(window, str(root))
    st = window.state
    assert st.kind.name == "images" and len(st.loaded(IMAGES)) == 36
    assert [b.reason for b in st.loaded(IMAGES).bad_files] == ["truncated"]

    st.settings(IMAGES).model.architecture = "cnn"
    st.settings(IMAGES).preprocess.image_size = 32
    st.settings(IMAGES).preprocess.augment.enabled = False
    st.training.epochs = 2
    st.training.batch_size = 8
    st.notify_model_changed()
    st.notify_preprocess_changed()
    assert window.action_start.isEnabled(), window.action_start.toolTip()
    with qtbot.waitSignal(st.run_finished, timeout=300_000):
        window.action_start.trigger()
    run = st.run
    assert run is not None and run.kind.name == "images" and run.result.epochs_run == 2
    assert len(window.train_page.plots.epoch_points("loss")) == 2
    qtbot.waitUntil(lambda: window.current_page_name() == "evaluate", timeout=10_000)
    evaluate = window.media_pages["images"]["evaluate"]
    assert window.hosts["evaluate"].currentWidget() is evaluate
    matrix = np.array(run.report["confusion_matrix"])
    a, p = np.unravel_index(matrix.argmax(), matrix.shape)
    evaluate.show_cell(int(a), int(p))
    assert evaluate.cell_gallery.count() == matrix[a, p]

    qtbot.waitUntil(window.action_export.isEnabled, timeout=10_000)
    out = tmp_path / "exported"
    results = []

    def exec_without_file_dialog(dialog: ExportDialog) -> int:
        with qtbot.waitSignal(dialog.export_done, timeout=120_000) as done:
            dialog.export_to(str(out), "keras")
        results.append(done.args[0])
        return 0

    monkeypatch.setattr(ExportDialog, "open", exec_without_file_dialog)
    window.action_export.trigger()
    assert results and results[0].ok, results
    bundle = load_bundle(out)
    assert bundle.kind.name == "images" and bundle.samples is not None
    again = bundle.model.predict(bundle.samples, verbose=0)
    in_app = run.model.predict(bundle.samples, verbose=0)
    assert np.allclose(again, in_app, atol=1e-6)
