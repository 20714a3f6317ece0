"""Lists of texts (the text pages' examples, the Evaluate page's cells and mistakes).

:class:`TextList` is a ``QListView`` over :class:`TextListModel`: one row per text, drawn by
:class:`TextRowDelegate` as a caption line ("spam · 97.4%", in the caption colour) above the
first lines of the text, word-wrapped and elided. Every row has the same height, so the view
stays virtual: 50,000 texts scroll smoothly and only the visible rows are ever painted. The
model keeps plain lists of strings.

:class:`TextBrowser` is a list above the selected text shown whole (selectable, scrollable),
with its caption and where it comes from (a file, or a table's row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
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
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QPlainTextEdit,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
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

    def set_texts(
        self,
        texts: Sequence[str],
        captions: Sequence[str] | None = None,
        locators: Sequence[str] | None = None,
        tips: Sequence[str] | None = None,
        wrong: Sequence[bool] | None = None,
    ) -> None:
        """Show ``texts``; ``captions`` (one line above each), ``locators`` (the item's path:
        a file, or ``table#row``), ``tips`` and ``wrong`` (captions in red) are one per text."""
        n = len(texts)
        for name, values in (("captions", captions), ("locators", locators), ("tips", tips)):
            if values is not None and len(values) != n:
                raise ValueError(f"{name}: one per text expected ({n}), got {len(values)}")
        self.beginResetModel()
        self.texts = [str(t) for t in texts]
        self.captions = list(captions) if captions is not None else [""] * n
        self.locators = list(locators) if locators is not None else [""] * n
        self.tips = list(tips) if tips is not None else []
        self.wrong = list(wrong) if wrong is not None else [False] * n
        self.endResetModel()

    def clear(self) -> None:
        self.set_texts([])

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
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.tips:
                return self.tips[row]
            where = locator_words(self.locators[row]) if self.locators[row] else ""
            return "\n".join(p for p in (self.captions[row], where) if p)
        return None


class TextRowDelegate(QStyledItemDelegate):
    """Paints a row: the caption (one line, elided), then up to ``lines`` wrapped lines of
    the text, the last elided with "…"."""

    def __init__(self, lines: int = TEXT_LINES, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines = lines

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        metrics = QFontMetrics(option.font)  # type: ignore[attr-defined]
        height = metrics.lineSpacing() * (self.lines + 1) + 2 * PADDING
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""  # type: ignore[attr-defined]
        style = opt.widget.style() if opt.widget is not None else None  # type: ignore[attr-defined]
        if style is not None:  # background, selection and focus as the style draws them
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)  # type: ignore[attr-defined]
        rect: QRect = opt.rect.adjusted(PADDING, PADDING // 2, -PADDING, -PADDING // 2)  # type: ignore[attr-defined]
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette: QPalette = opt.palette  # type: ignore[attr-defined]
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        metrics = QFontMetrics(opt.font)  # type: ignore[attr-defined]
        line = metrics.lineSpacing()
        painter.save()
        caption = str(index.data(CAPTION_ROLE) or "")
        top = rect.top()
        if caption:
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            colour = WRONG_COLOUR if index.data(WRONG_ROLE) else CAPTION_COLOUR
            painter.setPen(text_colour if selected else QColor(colour))
            elided = QFontMetrics(font).elidedText(
                caption, Qt.TextElideMode.ElideRight, rect.width()
            )
            painter.drawText(QRect(rect.left(), top, rect.width(), line), 0, elided)
            font.setBold(False)
            painter.setFont(font)
            top += line
        painter.setPen(text_colour)
        lines = wrapped_lines(
            one_line(text[:MAX_PAINTED_CHARS]),
            opt.font,
            rect.width(),
            self.lines,  # type: ignore[attr-defined]
        )
        for i, part in enumerate(lines):
            painter.drawText(QRect(rect.left(), top + i * line, rect.width(), line), 0, part)
        painter.restore()


def wrapped_lines(text: str, font: QFont, width: int, lines: int) -> list[str]:
    """``text`` word-wrapped to ``width`` pixels in ``font``, at most ``lines`` lines; the
    last one ends in "…" when the text goes on."""
    if not text or width <= 0 or lines <= 0:
        return []
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    out: list[str] = []
    layout.beginLayout()
    while len(out) < lines:
        tl = layout.createLine()
        if not tl.isValid():
            break
        tl.setLineWidth(width)
        start, length = tl.textStart(), tl.textLength()
        out.append(text[start : start + length].rstrip())
        if len(out) == lines and start + length < len(text):
            out[-1] = QFontMetrics(font).elidedText(
                text[start:], Qt.TextElideMode.ElideRight, width
            )
    layout.endLayout()
    return out


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
    """A :class:`TextList` above the current text shown whole, with its caption and source."""

    def __init__(self, lines: int = TEXT_LINES, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = TextList(lines)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.full = QPlainTextEdit()
        self.full.setReadOnly(True)
        self.full.setPlaceholderText("Select a text to read it whole.")
        self.full.setToolTip("The selected text, whole (as read, before any standardization)")
        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 4, 0, 0)
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
        self.list.set_texts(texts, **extra)

    def clear(self, message: str = "") -> None:
        self.list.clear()
        self.full.setPlaceholderText(message or "Select a text to read it whole.")

    def _show_row(self, row: int) -> None:
        model = self.list.text_model
        if not 0 <= row < len(model.texts):
            self.title.setText("")
            self.full.setPlainText("")
            return
        caption = model.captions[row]
        where = locator_words(model.locators[row]) if model.locators[row] else ""
        self.title.setText(" — ".join(_escape(p) for p in (caption, where) if p))
        self.title.setToolTip(model.locators[row])
        self.full.setPlainText(model.texts[row])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
