"""The Predict page's box for models that classify typed examples (a text model,
``PredictWords.type_box``): type or paste a text and see each class's probability, updated
as you type.

The model runs in a :class:`JobWorker` ~300 ms after the last keystroke, one run at a time
(:class:`SerialJob`: a burst of typing starts at most one more run, with the text as it is
by then), and an answer an edit made stale is dropped, so typing never waits for the model.
The engine call is the kind's own ``predict`` on ``kind.typed([text])`` (raw strings), the
same one the bulk files/table path uses.

The words that pushed the answer are highlighted in the box itself, green for and red
against, deeper for a bigger effect, the figure in a tooltip over each word
(``core.trust.words.word_attributions`` for the predicted class, in the same run as the
answer; a "Highlight words" box turns them off). An answer a later edit made stale is
dropped with its words, so a highlight always matches the text it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui.format import probability
from automl_gui.gui.pages._serial_job import SerialJob
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.word_highlights import METHOD_TIP, EditorWords, legend_label
from automl_gui.gui.workers import JobWorker

TYPE_DEBOUNCE_MS = 300
BAR_STEPS = 1000
ROW_HEIGHT = 21  # px per class bar
SHOWN_ROWS = 6  # bars in sight at once; more classes scroll
TOP_COLOUR = "#1565C0"
OTHER_COLOUR = "#90A4AE"
WARNING_COLOUR = "#8A4B00"  # as the Data page's findings


def classify_typed(bundle: Any, text: str) -> tuple[list[float], str, str]:
    """Each class's probability for ``text``, the engine's warning about the answer (""
    or why it means nothing: none of the text's words is in the model's vocabulary; the
    ``warning`` column of ``kind.predict``) and the predicted class (a chosen threshold
    included). Runs in the worker."""
    kind = bundle.kind
    frame = kind.predict(bundle, kind.typed([text]))
    error = str(frame["error"].iloc[0] or "") if "error" in frame.columns else ""
    if error:
        from automl_gui.core.base.errors import DataError

        raise DataError(error[:1].upper() + error[1:] + ".", "Type a text with some words.")
    names = [str(n) for n in bundle.class_names or []]
    warning = str(frame["warning"].iloc[0] or "") if "warning" in frame.columns else ""
    probabilities = [float(frame[f"probability_{n}"].iloc[0]) for n in names]
    return probabilities, warning, str(frame["prediction"].iloc[0])


@dataclass
class TypedAnswer:
    """What the box shows for one text: the probabilities, the engine's warning, the
    predicted class and (when asked) the words that pushed it."""

    probabilities: list[float]
    warning: str
    prediction: str
    words: list[Any] | None = None


def answer_typed(bundle: Any, text: str, words: bool) -> TypedAnswer:
    """:func:`classify_typed`, then (``words``) the text's words weighed for its answer."""
    probabilities, warning, prediction = classify_typed(bundle, text)
    answer = TypedAnswer(probabilities, warning, prediction)
    if words:
        from automl_gui.core.trust.words import word_attributions

        answer.words = word_attributions(bundle, [text], classes=[prediction])[0]
    return answer


class ProbabilityBars(QWidget):
    """One bar per class: its name, a bar and the probability; the likeliest in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnStretch(1, 1)
        self.names: list[QLabel] = []
        self.bars: list[QProgressBar] = []
        self.values: list[QLabel] = []

    def set_classes(self, names: list[str]) -> None:
        for widgets in (self.names, self.bars, self.values):
            for w in widgets:
                w.deleteLater()
            widgets.clear()
        for row, name in enumerate(names):
            label = QLabel(name)
            label.setFixedHeight(ROW_HEIGHT - 3)
            label.setToolTip(name)
            bar = QProgressBar()
            bar.setRange(0, BAR_STEPS)
            bar.setTextVisible(False)
            bar.setMaximumHeight(14)
            value = QLabel("–")
            value.setMinimumWidth(52)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(bar, row, 1)
            self.grid.addWidget(value, row, 2)
            self.names.append(label)
            self.bars.append(bar)
            self.values.append(value)
        self.clear()

    def show_probabilities(self, probabilities: list[float]) -> None:
        top = max(range(len(probabilities)), key=probabilities.__getitem__, default=-1)
        for i, p in enumerate(probabilities[: len(self.bars)]):
            self.bars[i].setValue(round(BAR_STEPS * min(max(p, 0.0), 1.0)))
            self.values[i].setText(probability(p))
            colour = TOP_COLOUR if i == top else OTHER_COLOUR
            self.bars[i].setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
            weight = "600" if i == top else "normal"
            for label in (self.names[i], self.values[i]):
                label.setStyleSheet(f"font-weight: {weight};")

    def clear(self) -> None:
        for bar, value, name in zip(self.bars, self.values, self.names, strict=True):
            bar.setValue(0)
            value.setText("–")
            value.setStyleSheet("")
            name.setStyleSheet("")

    def shown(self) -> list[str]:
        """The probabilities as shown ("97.4%", "–" before any answer)."""
        return [v.text() for v in self.values]


class TypeBox(QGroupBox):
    """Type or paste one example; the class probabilities follow as you type.

    ``answered(probabilities)`` after each answer shown; ``failed(message)`` when the model
    could not answer (the message is shown under the box too).
    """

    answered = Signal(list)
    failed = Signal(str)

    def __init__(self, noun: str = "text", parent: QWidget | None = None) -> None:
        super().__init__(f"Type or paste a {noun}", parent)
        self.bundle: Any = None
        self._gen = 0
        self._workers: set[JobWorker] = set()
        self._job = SerialJob(self.classify_now)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPE_DEBOUNCE_MS)
        self._timer.timeout.connect(self.classify_now)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(
            f"Type or paste a {noun} here: the probabilities follow as you type."
        )
        self.editor.setToolTip(f"The {noun} to classify (pasted text of any length works)")
        self.editor.setFixedHeight(72)
        self.editor.textChanged.connect(self._on_typed)
        self.editor_words = EditorWords(self.editor)
        self.words_box = QCheckBox("Highlight words")
        self.words_box.setChecked(True)
        self.words_box.setToolTip(
            "Tint the words that pushed the answer: green towards it, red against. " + METHOD_TIP
        )
        self.words_box.toggled.connect(self._words_toggled)
        self.legend = legend_label()
        words_row = QHBoxLayout()
        words_row.setContentsMargins(0, 0, 0, 0)
        words_row.addWidget(self.words_box)
        words_row.addWidget(self.legend, 1)
        self.bars = ProbabilityBars()
        self.bars_area = QScrollArea()
        self.bars_area.setWidget(self.bars)
        self.bars_area.setWidgetResizable(True)
        self.bars_area.setFrameShape(QFrame.Shape.NoFrame)
        self.bars_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.bars_area.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }"
        )
        self.status = muted_label()
        # the engine's word on an answer that means nothing (no known word in the text)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.warning.setVisible(False)
        # as tall as its bars need, always: the table below takes the rest
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor)
        layout.addLayout(words_row)
        layout.addWidget(self.bars_area)
        layout.addWidget(self.status)
        layout.addWidget(self.warning)

    def set_bundle(self, bundle: Any) -> None:
        """Classify with ``bundle`` (its classes become the bars); the text typed stays."""
        self.bundle = bundle
        self._gen += 1
        names = [str(n) for n in (bundle.class_names or [])] if bundle else []
        self.bars.set_classes(names)
        self.bars_area.setFixedHeight(ROW_HEIGHT * min(len(names), SHOWN_ROWS) + 4)
        self._on_typed()

    def _on_typed(self) -> None:
        self._gen += 1  # an answer under way is for an older text
        self._timer.start()

    def classify_now(self) -> None:
        """Classify the text as it is now, in the background (one run at a time)."""
        self._timer.stop()
        text = self.editor.toPlainText()
        if self.bundle is None or not text.strip():
            self.bars.clear()
            self.editor_words.clear()
            self.warning.setVisible(False)
            self.status.setText("" if self.bundle is None else "Type a text to classify it.")
            return
        if self._job.queue_if_busy():  # goes again, with the text as it is then
            return
        gen, bundle, words = self._gen, self.bundle, self.words_box.isChecked()
        self._job.start(
            self._workers,
            lambda: answer_typed(bundle, text, words),
            lambda result: self._on_answer(gen, result),
            lambda m, h: self._on_failed(gen, m, h),
        )
        self.status.setText("Classifying…")

    def _on_answer(self, gen: int, answer: TypedAnswer) -> None:
        if gen != self._gen:
            return  # typed on meanwhile: the next run answers
        probabilities = answer.probabilities
        self.bars.show_probabilities(probabilities)
        names = [str(n) for n in (self.bundle.class_names or [])]
        shown = None
        if answer.prediction in names:
            shown = probabilities[names.index(answer.prediction)]
            self.status.setText(f"Predicted: {answer.prediction} ({probability(shown)}).")
        if answer.words is not None and self.words_box.isChecked():
            self.editor_words.set_words(answer.words, answer.prediction, shown)
        else:
            self.editor_words.clear()
        warning = answer.warning
        self.warning.setText(f"⚠ {warning[:1].upper()}{warning[1:]}." if warning else "")
        self.warning.setVisible(bool(warning))
        self.answered.emit(probabilities)

    def _words_toggled(self, shown: bool) -> None:
        if shown:
            self._on_typed()  # weigh the words of the text as it is
        else:
            self.editor_words.clear()

    def _on_failed(self, gen: int, message: str, hint: str) -> None:
        if gen != self._gen:
            return
        self.bars.clear()
        self.editor_words.clear()
        self.warning.setVisible(False)
        self.status.setText(f"No answer: {message} {hint}".strip())
        self.failed.emit(message)

    @property
    def busy(self) -> bool:
        return self._job.busy or self._timer.isActive()

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Stop the timer and join the running answer (the window calls this on close)."""
        self._timer.stop()
        self._job.pending = False
        return all(w.wait(msecs) for w in list(self._workers))
