"""The Evaluate pages' shared parts (tables, images, audio): the header with "Compare runs…" and
"Save report…" (report.json), and the verdict banner (chance level, over/underfitting)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton

from automl_gui.core.evaluate.labels import change_text
from automl_gui.core.evaluate.metrics import CHANCE_REMEDIES, chance_note
from automl_gui.gui import settings as app_settings
from automl_gui.gui.format import plural

REFIT_FIGURES = 2  # test metrics the refit sentence compares (the report's headline first)


def was_refit(run: Any) -> bool:
    """Whether ``run``'s model is a refit on all data (not the best epoch's weights)."""
    refit = (getattr(run, "metadata", None) or {}).get("refit")
    return isinstance(refit, dict) and "test_after" in refit


def refit_text(run: Any, noun: str) -> str:
    """A sentence saying how "Refit on all data" (``metadata["refit"]``, ``core.jobs._refit``)
    went: the kept model trained again on training + validation, for how many epochs, with
    the test figures before and after; or that the first model was kept, and why. "" for a
    run without a refit. ``noun``: one example ("row", "image")."""
    refit = (getattr(run, "metadata", None) or {}).get("refit")
    if not isinstance(refit, dict):
        return ""
    if "test_after" not in refit:
        reason = refit.get("reason") or "it did not finish"
        return f"Refit on all data: not kept ({reason}); the model is the first training's."
    before, after = refit.get("test_before") or {}, refit["test_after"]
    figures = change_text(before, after, REFIT_FIGURES)
    rows = refit.get("rows")
    data = "the training and validation data"
    if isinstance(rows, int) and rows > 0:
        data = f"{plural(rows, noun)} (training and validation)"
    epochs = plural(int(refit.get("epochs") or 0), "epoch")
    text = (
        f"Refit on all data: this model was trained again from scratch on {data} for "
        f"{epochs}, the count validation chose; the test figures are its own"
    )
    return f"{text} (first model → refit: {figures})." if figures else f"{text}."


class ReportSaving:
    """Mixin for a page with ``run`` (a finished run), ``banner``, ``diagnosis_banner`` and
    ``state``."""

    def _show_verdict(self, run: Any) -> None:
        """The diagnosis banner: "no better than chance" on the test split outranks an over-
        or underfitting note (the model learned nothing at all)."""
        chance = chance_note(run.report)
        if chance:
            bullets = "\n".join(f"• {r}" for r in CHANCE_REMEDIES)
            self.diagnosis_banner.show_message(chance, bullets, "warning")
        elif run.diagnosis is not None:
            bullets = "\n".join(f"• {r}" for r in run.diagnosis.remedies)
            level = "warning" if run.diagnosis.overfitting else "info"
            self.diagnosis_banner.show_message(run.diagnosis.message, bullets, level)

    def _report_header(self, title_text: str) -> QHBoxLayout:
        """The page title with the "Save report…" button (``self.save_button``) at the right."""
        title = QLabel(title_text)
        title.setProperty("role", "title")
        self.save_button = QPushButton("Save report…")
        self.save_button.setToolTip("Write the test-split report as report.json")
        self.save_button.clicked.connect(self._save_report_clicked)
        self.save_button.setEnabled(False)
        self.compare_button = QPushButton("Compare runs…")
        self.compare_button.setToolTip(
            "Every kept training run side by side: curves overlaid, metrics in a table "
            "(View → Compare Runs…, Ctrl+Shift+U)"
        )
        self.compare_button.clicked.connect(self._compare_runs_clicked)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.compare_button)
        header.addWidget(self.save_button)
        return header

    def _compare_runs_clicked(self) -> None:
        from automl_gui.gui.dialogs.runs import open_runs_window

        open_runs_window(self.window())

    def _save_report_clicked(self) -> None:
        settings = app_settings.current()
        folder = app_settings.last_folder(settings, "evaluate/last_folder")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save report", str(Path(folder) / "report.json"), "JSON (*.json)"
        )
        if path:
            app_settings.set_last_folder(settings, path, "evaluate/last_folder")
            self.save_report(path)

    def save_report(self, path: str) -> bool:
        """Write the run's report to ``path`` as JSON (atomically). True on success."""
        if self.run is None:
            return False
        from automl_gui.core.base.errors import describe
        from automl_gui.core.base.files import atomic_write
        from automl_gui.core.export.bundle import write_json

        target = Path(path)
        try:
            atomic_write(target, lambda tmp: write_json(tmp, self.run.report))
        except (OSError, ValueError) as exc:
            message, hint = describe(exc)
            self.banner.show_message(message, hint, "error")
            return False
        self.banner.show_message(f"Saved the report to {target}.", "", "success")
        self.state.status.emit(f"Saved {target.name}")
        return True
