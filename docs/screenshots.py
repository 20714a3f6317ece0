"""Drive the window through the whole workflow and save a screenshot of every page.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots.py [DATA] [OUT_DIR] [EPOCHS]

DATA is a table (default: the bundled sample), an image folder or a folder of sound clips.
``--audio-demo N`` instead generates a real-sized sound folder (4 classes × N one-second
clips, by ``packaging/make_audio_sample.py``) and walks that. ``--search-demo [N]`` runs an
AutoML search of N trials (default 6) on the table instead of training one model and saves
the Model page and the Train page with its leaderboard while the search runs and after it.

Used to look at the app as a user would (and to refresh docs/screenshot.png). Uses the same
public page methods as the GUI tests; the file dialogs are bypassed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def wait_for(predicate, timeout_s: float = 300.0) -> None:
    app = QApplication.instance()
    loop_ms = 50
    waited = 0.0
    while not predicate():
        loop = QEventLoop()
        QTimer.singleShot(loop_ms, loop.quit)
        loop.exec()
        waited += loop_ms / 1000
        if waited > timeout_s:
            raise TimeoutError("the window did not get there in time")
    app.processEvents()


def pause(ms: int) -> None:
    """Let the event loop run for ``ms`` milliseconds (background results arrive)."""
    if ms > 0:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()


def audio_demo(per_class: int) -> Path:
    """A fresh folder of 4 × ``per_class`` generated one-second clips (whistle, siren, ...)."""
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "packaging" / "make_audio_sample.py"
    spec = importlib.util.spec_from_file_location("make_audio_sample", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = Path(tempfile.mkdtemp()) / "sounds"
    module.generate(folder, per_class=per_class)
    return folder


def search_demo(window, out: Path, trials: int) -> None:
    """Turn the search on (Model page), run it from the Train page and save screenshots."""
    from automl_gui.core.tune.search.space import SearchConfig

    model_page = window.pages["model"]
    config = SearchConfig(algorithm="hyperband", time_budget=0, max_trials=trials, max_epochs=30)
    model_page.search_box.set_search(True, config)
    window.go_to("model")
    wait_for(lambda: True)
    window.grab().save(str(out / "3_model_search.png"))
    window.go_to("train")
    window.start_training()
    wait_for(lambda: window.state.training_active)
    board = window.train_page.search.leaderboard.model
    while window.state.training_active:
        pause(500)
        done = sum(r.status not in ("running", "baseline") for r in board.records)
        live = len(window.train_page.plots.epoch_points("loss"))  # the running trial's curves
        if (
            done >= max(2, trials // 2)
            and live >= 3
            and not (out / "4_search_running.png").exists()
        ):
            window.grab().save(str(out / "4_search_running.png"))
    wait_for(lambda: True)
    window.grab().save(str(out / "4_search_done.png"))
    print(f"screenshots in {out}")


def main() -> int:
    from automl_gui.gui.app import create_application
    from automl_gui.gui.main_window import MainWindow
    from automl_gui.gui.settings import sample_dataset_path

    args = sys.argv[1:]
    search_trials = 0
    if args[:1] == ["--search-demo"]:
        args = args[1:]
        search_trials = int(args.pop(0)) if args and args[0].isdigit() else 6
        os.environ.setdefault("AUTOML_GUI_DATA_DIR", tempfile.mkdtemp())  # searches go here
    if args[:1] == ["--audio-demo"]:
        data = audio_demo(int(args[1]))
        args = args[2:]
    else:
        data = Path(args.pop(0)) if args else sample_dataset_path()
    out = Path(args[0]) if args else Path("/tmp/automl-shots")
    out.mkdir(parents=True, exist_ok=True)
    create_application([])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    width, height = (int(v) for v in os.environ.get("SHOT_SIZE", "1360x860").split("x"))
    window.resize(width, height)
    window.show()
    wait_for(lambda: window.state.engine_ready)
    window.grab().save(str(out / "0_welcome.png"))
    window.open_path(str(data))
    st = window.state
    wait_for(
        lambda: (
            st.dataset is not None and (st.kind.file_based or st.settings().preprocess is not None)
        )
    )
    media = st.kind.file_based  # thumbnails, clip plots and previews load lazily
    data_page = window.data_page_of(st.kind)
    if hasattr(data_page, "select_clip"):  # a clip's waveform and spectrogram, as a user would
        names = st.dataset.class_names
        data_page.show_class(names[min(1, len(names) - 1)])
        data_page.select_clip(0)
    if search_trials:
        search_demo(window, out, search_trials)
        close_unsaved(window)
        return 0
    for name in ("data", "preprocess", "model"):
        window.go_to(name)
        wait_for(lambda: True)
        pause(2000 if media else 0)
        window.grab().save(
            str(out / f"{'123'['data preprocess model'.split().index(name)]}_{name}.png")
        )
    window.state.training.epochs = int(args[1]) if len(args) > 1 else 40
    window.state.notify_model_changed()
    window.go_to("train")
    window.start_training()
    wait_for(lambda: window.state.training_active)
    shots = 0
    halfway = max(1, window.state.training.epochs // 2)  # plots with something on them
    while window.state.training_active:
        wait_for(lambda: True)
        pause(500)
        if shots == 0 and len(window.train_page.plots.epoch_points("loss")) >= halfway:
            window.go_to("train")
            window.grab().save(str(out / "4_train_running.png"))
            shots += 1
    window.go_to("train")
    wait_for(lambda: True)
    window.grab().save(str(out / "4_train_done.png"))
    window.go_to("evaluate")
    wait_for(lambda: True)
    if media:  # show the files of the largest mistake cell, as a user would click
        page_eval = window.media_pages[st.kind.pages]["evaluate"]
        matrix = window.state.run.report["confusion_matrix"]
        # the largest mistake cell, else (no mistakes) the largest correct one
        cells = [
            (a != p and v > 0, v, a, p) for a, row in enumerate(matrix) for p, v in enumerate(row)
        ]
        _, _, a, p = max(cells)
        page_eval.show_cell(a, p)
        pause(2000)
    window.grab().save(str(out / "5_evaluate.png"))
    page = window.pages["predict"]
    if media:
        page.predict_files([str(data)])
    else:
        page.predict_file(str(data))
    page.wait_idle(120000)
    window.go_to("predict")
    wait_for(lambda: True)
    pause(2000 if media else 0)
    window.grab().save(str(out / "6_predict.png"))
    from automl_gui.gui.dialogs.export import ExportDialog

    dialog = ExportDialog(window.state, window)
    dialog.show()
    done = []
    dialog.export_done.connect(done.append)
    dialog.export_failed.connect(lambda *a: done.append(a))
    dialog.export_to(str(Path(tempfile.mkdtemp()) / "exported"), "savedmodel")
    wait_for(lambda: bool(done), 300)
    dialog.grab().save(str(out / "7_export.png"))
    print(f"screenshots in {out}")
    close_unsaved(window)
    return 0


def close_unsaved(window) -> None:
    """Close without the 'Save the changes?' question (a modal dialog no one answers here):
    the walk-through's dataset and runs are a demo, nothing to keep."""
    window.state.dirty = False
    window.close()


if __name__ == "__main__":
    sys.exit(main())
