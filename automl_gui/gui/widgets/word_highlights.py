"""The words that pushed a text model's answer, as highlights: green for, red against.

Weights come from ``core.trust.words.word_attributions``: ``(word, start, end, weight)``
with ``weight`` the fall of the predicted class's probability when the word is removed. A
word's colour deepens with its weight relative to the strongest word of its text (at least
:data:`SCALE_FLOOR`, so a text where no word matters stays pale); the tooltip gives the
figure. :class:`EditorWords` highlights a ``QPlainTextEdit`` (the Predict page's type box,
the Evaluate page's selected text) with tooltips over the words; the text lists paint the
same colours (``text_list``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QHelpEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QToolTip

FOR_RGB = (46, 160, 67)  # green: pushed towards the answer
AGAINST_RGB = (220, 53, 69)  # red: pushed against it
MAX_ALPHA = 150  # the strongest word's tint (of 255): the text stays readable on it
MIN_ALPHA = 28
#: weights under this (probability) are not highlighted: they move nothing
NEGLIGIBLE = 0.005
#: the colour scale's least top: a text whose strongest word moves 2 points stays pale
SCALE_FLOOR = 0.05
METHOD_TIP = (
    "A word's effect: how much the predicted class's probability falls when the word is "
    "removed from the text (leave-one-out erasure, Li, Monroe & Jurafsky 2016)."
)

Attribution = tuple[str, int, int, float]


def text_scale(words: Sequence[Attribution]) -> float:
    """The weight that gets the deepest colour in this text."""
    return max([SCALE_FLOOR, *(abs(w[3]) for w in words)])


def word_colour(weight: float, scale: float) -> QColor | None:
    """The tint of a word of ``weight`` (None: too small to show)."""
    if abs(weight) < NEGLIGIBLE:
        return None
    share = min(1.0, abs(weight) / max(scale, 1e-9))
    r, g, b = FOR_RGB if weight > 0 else AGAINST_RGB
    return QColor(r, g, b, round(MIN_ALPHA + (MAX_ALPHA - MIN_ALPHA) * share))


def word_tip(word: str, weight: float, answer: str, probability: float | None = None) -> str:
    """What a word did, in words, with the figure."""
    points = abs(weight) * 100
    if abs(weight) < NEGLIGIBLE:
        return f"‘{word}’ hardly moves the answer ({points:.1f} points)."
    way = "towards" if weight > 0 else "against"
    change = "falls" if weight > 0 else "rises"
    tip = (
        f"‘{word}’ pushed {way} {answer}: without it, the probability of {answer} "
        f"{change} by {points:.1f} points"
    )
    if probability is not None:
        tip += f" ({probability:.1%} → {probability - weight:.1%})"
    return tip + "."


def word_at(words: Sequence[Attribution], position: int) -> Attribution | None:
    """The word whose span holds character ``position``, or None."""
    for word in words:
        if word[1] <= position < word[2]:
            return word
    return None


def legend_label() -> QLabel:
    """A one-line legend: the two colours and what they mean."""
    label = QLabel(
        f"<span style='background: {_css(FOR_RGB)}'>&nbsp;green&nbsp;</span> for the answer · "
        f"<span style='background: {_css(AGAINST_RGB)}'>&nbsp;red&nbsp;</span> against · "
        "deeper: stronger (hover a word for its figure)"
    )
    label.setToolTip(METHOD_TIP)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


def _css(rgb: tuple[int, int, int]) -> str:
    r, g, b = rgb
    return f"rgba({r},{g},{b},0.45)"


class EditorWords(QObject):
    """Highlights the words of a ``QPlainTextEdit`` and explains them in tooltips."""

    def __init__(self, editor: QPlainTextEdit) -> None:
        super().__init__(editor)
        self.editor = editor
        self.words: list[Attribution] = []
        self.answer = ""
        self.probability: float | None = None
        self._cursors: list[tuple[QTextCursor, Attribution]] = []
        editor.viewport().installEventFilter(self)

    def set_words(
        self, words: Sequence[Attribution], answer: str, probability: float | None = None
    ) -> None:
        """Highlight ``words`` (offsets into the editor's text now) of an answer ``answer``
        given with ``probability``."""
        self.words, self.answer, self.probability = list(words), answer, probability
        scale = text_scale(self.words)
        selections = []
        self._cursors = []
        length = len(self.editor.toPlainText())
        for word in self.words:
            if word[2] > length:
                continue
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(word[1])
            cursor.setPosition(word[2], QTextCursor.MoveMode.KeepAnchor)
            self._cursors.append((cursor, word))  # follows later edits of the text
            colour = word_colour(word[3], scale)
            if colour is None:
                continue
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(colour)
            selection.format = fmt  # type: ignore[attr-defined]
            selection.cursor = cursor  # type: ignore[attr-defined]
            selections.append(selection)
        self.editor.setExtraSelections(selections)

    def clear(self) -> None:
        self.words, self._cursors = [], []
        self.editor.setExtraSelections([])

    def highlighted(self) -> list[tuple[str, QColor]]:
        """(word, colour) of each highlighted word (tests)."""
        return [
            (s.cursor.selectedText(), s.format.background().color())  # type: ignore[attr-defined]
            for s in self.editor.extraSelections()
        ]

    def tip_at(self, position: int) -> str:
        """The tooltip of the word at character ``position`` ("" when none)."""
        for cursor, word in self._cursors:
            if cursor.selectionStart() <= position < cursor.selectionEnd():
                return word_tip(cursor.selectedText(), word[3], self.answer, self.probability)
        return ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and self.words:
            position = self.editor.cursorForPosition(event.pos()).position()
            tip = self.tip_at(position) or self.tip_at(position - 1)
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.editor)
                return True
        return super().eventFilter(watched, event)
