"""Audio Evaluate page: how the trained audio classifier did on the held-out test clips.

The shared Evaluate page of file classifiers (``pages/_files_evaluate.py``: metric cards,
per-class table, clickable confusion matrix, most confidently wrong, summary, Save report)
with the clips of a cell and the confident mistakes as clip lists (name, actual, predicted,
confidence); the selected clip plays (Enter, double-click, Space) and shows its waveform and
log-mel spectrogram as the model hears it; "Show where the model looked" draws the clip's
Grad-CAM map over the spectrogram, by time and frequency band (``widgets/saliency.py``).

Reads ``state.run`` when it is a ``core.jobs.run.Run`` of the audio kind;
any other run clears the page.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from automl_gui.core.kinds.audio import AUDIO
from automl_gui.gui.format import audio_model_details
from automl_gui.gui.pages._files_evaluate import FilesEvaluatePage, prediction_columns
from automl_gui.gui.widgets.clip_list import ClipBrowser

HEADERS = ("clip", "actual", "predicted", "confidence")
LIST_TIP = "Enter, double-click or Space plays the selected clip; arrows move through the list."


def clip_rows(rows: Any, class_names: list[str]) -> tuple[list[str], list[list[str]], list[str]]:
    """(paths, [actual, predicted, confidence] columns, tooltips) for test-prediction rows."""
    if rows is None or len(rows) == 0:
        return [], [[], [], []], []
    paths, actual, predicted, confidence, likely = prediction_columns(rows, class_names)
    tips = [
        f"{path}\nactual {a}, predicted {p} ({c})" + (f"\n{m}" if m else "")
        for path, a, p, c, m in zip(paths, actual, predicted, confidence, likely, strict=True)
    ]
    return paths, [actual, predicted, confidence], tips


class AudioEvaluatePage(FilesEvaluatePage):
    """Shows how the trained audio model did on the held-out test clips."""

    kind = AUDIO
    noun = "clip"
    items_tab = "Clips"
    cell_hint = "surest first; Enter or Space plays"
    wrong_hint = "surest first"

    def _make_view(self, *, wrong: bool) -> QWidget:
        browser = ClipBrowser()
        browser.list.setToolTip(LIST_TIP)
        browser.enable_saliency(lambda: self.run)
        return browser

    def _show_rows(self, view: QWidget, rows: Any, *, arrow: bool) -> list[Any]:
        assert isinstance(view, ClipBrowser)
        if self.run is not None:
            meta = self.run.metadata or {}
            view.set_model_input(
                int(meta.get("sample_rate") or 0), float(meta.get("clip_seconds") or 0)
            )
        paths, columns, tips = clip_rows(rows, self.class_names())
        if not paths:
            view.clear()
            return []
        captions = [f"actual {a}, predicted {p} ({c})" for a, p, c in zip(*columns, strict=True)]
        view.set_clips(HEADERS, paths, columns, tips, captions=captions, align_right=(3,))
        return paths

    def _model_details(self, meta: dict[str, Any]) -> str:
        return audio_model_details(meta)

    def wait_idle(self, msecs: int = 10000) -> bool:
        """Wait for the clip decodes still running (before the window closes)."""
        return all([self.cell_view.wait_idle(msecs), self.wrong_view.wait_idle(msecs)])

    # the clip lists and panels of the selected cell and of the confident mistakes
    cell_clips = property(lambda self: self.cell_view)
    wrong_clips = property(lambda self: self.wrong_view)
