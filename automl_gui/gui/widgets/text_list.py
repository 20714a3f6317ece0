"""Lists of texts (the text pages' examples, the Evaluate page's cells and mistakes).

:class:`TextList` is a ``QListView`` over :class:`TextListModel`: one row per text, drawn by
:class:`TextRowDelegate` as a caption line ("spam · 97.4%", in the caption colour) above the
first lines of the text, word-wrapped and elided. Every row has the same height, so the view
stays virtual: 50,000 texts scroll smoothly and only the visible rows are ever painted. The
model keeps plain lists of strings.

Word highlights (issue 18): :meth:`TextListModel.set_words` gives a row the words that pushed
its answer (``core.trust.words.word_attributions``: spans of the text and their weights);
the row then paints them green (for) or red (against), deeper for a bigger effect, with the
figure in a tooltip over each word (``word_highlights``), and the whole text below is
highlighted the same way. :attr:`TextListModel.show_words` turns them off.

:class:`TextBrowser` is a list above the selected text shown whole (selectable, scrollable),
with its caption and where it comes from (a file, or a table's row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui.widgets._text_rows import RowLayout, collapsed, wrapped
from automl_gui.gui.widgets.word_highlights import (
    METHOD_TIP,
    Attribution,
    EditorWords,
    legend_label,
    text_scale,
    word_colour,
    word_tip,
)

_Index = QModelIndex | QPersistentModelIndex

TEXT_LINES = 3  # lines of each text shown in the list (the rest in the panel below)
PADDING = 6
CAPTION_COLOUR = "#3E4C59"
WRONG_COLOUR = "#B71C1C"
MAX_PAINTED_CHARS = 2000  # of a text laid out in a row (a 20,000-character text needs less)
CAPTION_ROLE = Qt.ItemDataRole.UserRole + 1
LOCATOR_ROLE = Qt.ItemDataRole.UserRole + 2
WRONG_ROLE = Qt.ItemDataRole.UserRole + 3
WORDS_ROLE = Qt.ItemDataRole.UserRole + 4  # the row's word weights (None: none, or turned off)


def one_line(text: str) -> str:
    """``text`` with its line breaks and runs of blanks as single spaces (for a list row)."""
    return " ".join(text.split())


def locator_words(path: str) -> str:
    """Where a text comes from, in words: "reviews.csv, row 12" for ``"…/reviews.csv#12"``,
    else the file's path."""
    table, sep, row = path.rpartition("#")
    if sep and row.isdigit():
        name = table.replace("\\", "/").rsplit("/", 1)[-1]
        return f"{name}, row {int(row):,}"
    return path


class TextListModel(QAbstractListModel):
    """Read-only rows: a text, its caption, where it comes from, and a tooltip."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.texts: list[str] = []
        self.captions: list[str] = []
        self.locators: list[str] = []
        self.tips: list[str] = []
        self.wrong: list[bool] = []
        self.answers: list[str] = []  # the class each row's words are weighed for
        self.probabilities: list[float | None] = []  # its probability
        self.words: dict[int, list[Attribution]] = {}
        self.show_words = True

    def set_texts(
        self,
        texts: Sequence[str],
        captions: Sequence[str] | None = None,
        locators: Sequence[str] | None = None,
        tips: Sequence[str] | None = None,
        wrong: Sequence[bool] | None = None,
        answers: Sequence[str] | None = None,
        probabilities: Sequence[float | None] | None = None,
    ) -> None:
        """Show ``texts``; ``captions`` (one line above each), ``locators`` (the item's path:
        a file, or ``table#row``), ``tips``, ``wrong`` (captions in red), ``answers`` (the
        class the row's highlighted words are weighed for) and ``probabilities`` (its
        probability) are one per text. Word highlights are dropped."""
        n = len(texts)
        named = (("captions", captions), ("locators", locators), ("tips", tips))
        for name, values in (*named, ("answers", answers), ("probabilities", probabilities)):
            if values is not None and len(values) != n:
                raise ValueError(f"{name}: one per text expected ({n}), got {len(values)}")
        self.beginResetModel()
        self.texts = [str(t) for t in texts]
        self.captions = list(captions) if captions is not None else [""] * n
        self.locators = list(locators) if locators is not None else [""] * n
        self.tips = list(tips) if tips is not None else []
        self.wrong = list(wrong) if wrong is not None else [False] * n
        self.answers = list(answers) if answers is not None else [""] * n
        self.probabilities = list(probabilities) if probabilities is not None else [None] * n
        self.words = {}
        self.endResetModel()

    def clear(self) -> None:
        self.set_texts([])

    def set_words(self, words: dict[int, list[Attribution]]) -> None:
        """Highlight the words of these rows (row → ``(word, start, end, weight)``)."""
        rows = [r for r in words if 0 <= r < len(self.texts)]
        for row in rows:
            self.words[row] = list(words[row])
        for row in rows:
            index = self.index(row)
            self.dataChanged.emit(index, index, [WORDS_ROLE])

    def set_show_words(self, shown: bool) -> None:
        """Paint the highlights (``shown``) or not."""
        self.show_words = bool(shown)
        if self.texts:
            self.dataChanged.emit(self.index(0), self.index(len(self.texts) - 1), [WORDS_ROLE])

    def words_of(self, row: int) -> list[Attribution] | None:
        """The row's words when shown and worked out, else None."""
        return self.words.get(row) if self.show_words else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.texts)

    def data(self, index: _Index, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.texts):
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.texts[row]
        if role == CAPTION_ROLE:
            return self.captions[row]
        if role == LOCATOR_ROLE:
            return self.locators[row]
        if role == WRONG_ROLE:
            return self.wrong[row]
        if role == WORDS_ROLE:
            return self.words_of(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.tips:
                return self.tips[row]
            where = locator_words(self.locators[row]) if self.locators[row] else ""
            return "\n".join(p for p in (self.captions[row], where) if p)
        return None


class TextRowDelegate(QStyledItemDelegate):
    """Paints a row: the caption (one line, elided), then up to ``lines`` wrapped lines of
    the text, the last elided with "…", its highlighted words tinted behind (with a
    tooltip each)."""

    def __init__(self, lines: int = TEXT_LINES, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines = lines

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        metrics = QFontMetrics(option.font)  # type: ignore[attr-defined]
        height = metrics.lineSpacing() * (self.lines + 1) + 2 * PADDING
        return QSize(200, height)

    def _layout(self, opt: QStyleOptionViewItem, index: _Index) -> RowLayout:
        rect: QRect = opt.rect.adjusted(PADDING, PADDING // 2, -PADDING, -PADDING // 2)  # type: ignore[attr-defined]
        line = QFontMetrics(opt.font).lineSpacing()  # type: ignore[attr-defined]
        top = rect.top() + (line if index.data(CAPTION_ROLE) else 0)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")[:MAX_PAINTED_CHARS]
        flat, where = collapsed(text)
        pieces = wrapped(flat, opt.font, rect.width(), self.lines)  # type: ignore[attr-defined]
        return RowLayout(rect, top, line, flat, where, pieces)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # type: ignore[attr-defined]
        style = opt.widget.style() if opt.widget is not None else None  # type: ignore[attr-defined]
        if style is not None:  # background, selection and focus as the style draws them
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)  # type: ignore[attr-defined]
        row = self._layout(opt, index)
        rect, line = row.rect, row.line
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette: QPalette = opt.palette  # type: ignore[attr-defined]
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        painter.save()
        caption = str(index.data(CAPTION_ROLE) or "")
        if caption:
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            colour = WRONG_COLOUR if index.data(WRONG_ROLE) else CAPTION_COLOUR
            painter.setPen(text_colour if selected else QColor(colour))
            elided = QFontMetrics(font).elidedText(
                caption, Qt.TextElideMode.ElideRight, rect.width()
            )
            painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), 0, elided)
            font.setBold(False)
            painter.setFont(font)
        words = index.data(WORDS_ROLE)
        if words:
            scale = text_scale(words)
            for box, word in row.word_boxes(words, opt.font):  # type: ignore[attr-defined]
                colour = word_colour(word[3], scale)
                if colour is None:
                    continue
                if selected:  # a tint vanishes on the selection's colour: a bar under the word
                    colour.setAlpha(min(255, 100 + 2 * colour.alpha()))
                    box = QRect(box.left(), box.bottom() - 2, box.width(), 3)
                painter.fillRect(box, colour)
        painter.setPen(text_colour)
        for i, (_start, _length, part) in enumerate(row.pieces):
            painter.drawText(QRect(rect.left(), row.top + i * line, rect.width(), line), 0, part)
        painter.restore()

    def helpEvent(  # noqa: N802
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        words = index.data(WORDS_ROLE) if index.isValid() else None
        if event is not None and event.type() == QEvent.Type.ToolTip and words:
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            model = index.model()
            for box, word in self._layout(opt, index).word_boxes(words, opt.font):  # type: ignore[attr-defined]
                if box.contains(event.pos()):
                    row = index.row()
                    answer = getattr(model, "answers", [""] * (row + 1))[row]
                    probability = getattr(model, "probabilities", [None] * (row + 1))[row]
                    tip = word_tip(word[0], word[3], answer or "its answer", probability)
                    QToolTip.showText(event.globalPos(), tip, view)
                    return True
        return super().helpEvent(event, view, option, index)


class TextList(QListView):
    """Texts as rows of a caption and their first lines; ``text_changed(row)`` when the
    current row moves (-1: none)."""

    text_changed = Signal(int)

    def __init__(self, lines: int = TEXT_LINES, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_model = TextListModel(self)
        self.setModel(self.text_model)
        self.setItemDelegate(TextRowDelegate(lines, self))
        self.setUniformItemSizes(True)  # one height: the view stays virtual
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self.text_changed.emit(current.row())
        )

    def set_texts(self, texts: Sequence[str], **extra: Any) -> None:
        """:meth:`TextListModel.set_texts`; the first row becomes current."""
        self.text_model.set_texts(texts, **extra)
        if texts:
            self.setCurrentIndex(self.text_model.index(0))
            self.scrollToTop()
        else:
            self.text_changed.emit(-1)

    def clear(self) -> None:
        self.set_texts([])

    def count(self) -> int:
        return self.text_model.rowCount()

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int) -> None:
        self.setCurrentIndex(self.text_model.index(row))


class TextBrowser(QWidget):
    """A :class:`TextList` above the current text shown whole, with its caption and source.

    With ``words`` a row of a "Highlight words" check box, the legend and a status line sits
    between them; ``words_toggled(bool)`` when the box changes (the page works the words out
    while it is on)."""

    words_toggled = Signal(bool)

    def __init__(
        self, lines: int = TEXT_LINES, parent: QWidget | None = None, *, words: bool = False
    ) -> None:
        super().__init__(parent)
        self.list = TextList(lines)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.full = QPlainTextEdit()
        self.full.setReadOnly(True)
        self.full.setPlaceholderText("Select a text to read it whole.")
        self.full.setToolTip("The selected text, whole (as read, before any standardization)")
        self.full_words = EditorWords(self.full)
        self.words_box = QCheckBox("Highlight words")
        self.words_box.setChecked(True)
        self.words_box.setToolTip(
            "Tint the words that pushed each answer: green towards it, red against. " + METHOD_TIP
        )
        self.words_box.toggled.connect(self._words_toggled)
        self.legend = legend_label()
        self.words_status = QLabel()
        self.words_status.setProperty("role", "muted")
        words_row = QWidget()
        row_layout = QHBoxLayout(words_row)
        row_layout.setContentsMargins(0, 2, 0, 0)
        row_layout.addWidget(self.words_box)
        row_layout.addWidget(self.legend, 1)
        row_layout.addWidget(self.words_status)
        words_row.setVisible(words)
        self.words_row = words_row
        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 4, 0, 0)
        panel_layout.addWidget(words_row)
        panel_layout.addWidget(self.title)
        panel_layout.addWidget(self.full, 1)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.list)
        self.split.addWidget(panel)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self.list.text_changed.connect(self._show_row)

    def set_texts(self, texts: Sequence[str], **extra: Any) -> None:
        self.words_status.setText("")
        self.list.set_texts(texts, **extra)

    def clear(self, message: str = "") -> None:
        self.list.clear()
        self.full.setPlaceholderText(message or "Select a text to read it whole.")

    @property
    def words_shown(self) -> bool:
        return self.words_row.isVisibleTo(self) and self.words_box.isChecked()

    def set_words(self, words: dict[int, list[Attribution]]) -> None:
        """Highlight these rows' words (row → ``(word, start, end, weight)``)."""
        self.list.text_model.set_words(words)
        row = self.list.current_row()
        if row in words:
            self._show_words(row)

    def _words_toggled(self, shown: bool) -> None:
        self.list.text_model.set_show_words(shown)
        self._show_words(self.list.current_row())
        self.words_toggled.emit(shown)

    def _show_words(self, row: int) -> None:
        model = self.list.text_model
        words = model.words_of(row) if 0 <= row < len(model.texts) else None
        if words:
            self.full_words.set_words(words, model.answers[row], model.probabilities[row])
        else:
            self.full_words.clear()

    def _show_row(self, row: int) -> None:
        model = self.list.text_model
        if not 0 <= row < len(model.texts):
            self.title.setText("")
            self.full.setPlainText("")
            self.full_words.clear()
            return
        caption = model.captions[row]
        where = locator_words(model.locators[row]) if model.locators[row] else ""
        self.title.setText(" — ".join(_escape(p) for p in (caption, where) if p))
        self.title.setToolTip(model.locators[row])
        self.full.setPlainText(model.texts[row])
        self._show_words(row)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
