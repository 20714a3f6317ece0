"""A thumbnail gallery that stays smooth at 50,000 images.

:class:`ImageGallery` is a ``QListView`` (grid of uniform cells) over :class:`GalleryModel`, a
``QAbstractListModel`` holding plain ``(path, caption, tooltip)`` tuples, so setting 50,000
items costs one list copy. Thumbnails are decoded lazily and off the UI thread:

- a thumbnail is requested only when the view paints a cell (``data(DecorationRole)``);
- decoding runs in a small ``QThreadPool`` (``QImageReader`` with a scaled size, so JPEGs are
  decoded at a fraction of their size; Pillow's ``draft`` + ``thumbnail`` as a fallback);
- requests for cells the user scrolled past are dropped before they are decoded, and the
  newest scroll position is served first;
- finished thumbnails go into an LRU cache (a few thousand); a placeholder shows while one
  loads and a "broken" tile when a file cannot be read.

Double-click (or Enter) emits ``activated_path`` and opens :class:`ImagePreviewDialog`.

:meth:`ImageGallery.enable_saliency` adds a "Show where the model looked" bar above the grid:
while it is on, each thumbnail is replaced by its Grad-CAM overlay as the overlays arrive
from a background thread (``widgets/saliency.py``).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from automl_gui.gui.widgets._thumbnails import (  # noqa: F401  (re-exported)
    CACHE_BYTES,
    CACHE_SIZE,
    MAX_THUMB,
    MIN_THUMB,
    PREVIEW_SIZE,
    SCROLL_SETTLE_MS,
    PathRole,
    StateRole,
    _Ticket,
    _tile,
    decode_thumbnail,
    loader,
)
from automl_gui.gui.widgets.image_preview import ImagePreviewDialog  # noqa: F401
from automl_gui.gui.widgets.saliency import SaliencyGallery


# -- model -------------------------------------------------------------------------------------
class GalleryModel(QAbstractListModel):
    """``(path, caption, tooltip)`` rows; decorations are thumbnails decoded on demand."""

    thumbnail_ready = Signal(int)  # row whose thumbnail just arrived

    def __init__(self, parent: QObject | None = None, thumb_size: int = 96) -> None:
        super().__init__(parent)
        self._items: list[tuple[str, str, str]] = []
        self._size = thumb_size
        self._generation = 0
        self._cache: OrderedDict[tuple[str, int], QPixmap | None] = OrderedDict()
        self._pending: dict[int, _Ticket] = {}
        self._deferred: dict[int, str] = {}  # row → path, asked for while holding
        self._holding = False
        self._priority = 0
        self._dirty: set[int] = set()
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(25)
        self._flush.timeout.connect(self._flush_dirty)
        self.requested_rows: set[int] = set()  # rows a thumbnail was asked for (tests/bench)
        self.cache_size = CACHE_SIZE
        self.cache_bytes = CACHE_BYTES
        self._bytes = 0
        self._overlays: dict[str, QPixmap] = {}  # path → overlay (Grad-CAM), when shown
        self.show_overlays = False

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        row = index.row()
        if not index.isValid() or row >= len(self._items):
            return None
        path, caption, tooltip = self._items[row]
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnail(row, path)
        if role == Qt.ItemDataRole.DisplayRole:
            return caption
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip or path
        if role == PathRole:
            return path
        if role == StateRole:
            key = (path, self._size)
            if key not in self._cache:
                return "loading"
            return "broken" if self._cache[key] is None else "ready"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- items -----------------------------------------------------------------------------
    def set_items(self, items: list[tuple[str, str, str]]) -> None:
        """Replace all rows (cheap: no file is touched here)."""
        self.beginResetModel()
        self._cancel_all()
        self._generation += 1
        self._items = list(items)
        self._dirty.clear()
        self.requested_rows = set()
        self.endResetModel()

    def item(self, row: int) -> tuple[str, str, str]:
        return self._items[row]

    # -- overlays (where the model looked) ---------------------------------------------------
    def set_overlay(self, path: str, image: QImage) -> None:
        """Show ``image`` instead of ``path``'s thumbnail while overlays are shown."""
        self._overlays[path] = QPixmap.fromImage(image)
        if self.show_overlays:
            self._refresh_paths({path})

    def overlay_count(self) -> int:
        return len(self._overlays)

    def clear_overlays(self) -> None:
        self._overlays.clear()

    def set_show_overlays(self, on: bool) -> None:
        if bool(on) != self.show_overlays:
            self.show_overlays = bool(on)
            self._refresh_paths(set(self._overlays))

    def _refresh_paths(self, paths: set[str]) -> None:
        role = [Qt.ItemDataRole.DecorationRole]
        for row, (path, _caption, _tip) in enumerate(self._items):
            if path in paths:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx, role)

    @property
    def thumb_size(self) -> int:
        return self._size

    def set_thumb_size(self, size: int) -> None:
        if size == self._size:
            return
        self._cancel_all()
        self._generation += 1
        self._size = size
        self.requested_rows = set()
        if self._items:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._items) - 1), [Qt.ItemDataRole.DecorationRole]
            )

    # -- thumbnails ------------------------------------------------------------------------
    def thumbnail(self, row: int, path: str) -> QPixmap:
        if self.show_overlays:
            overlay = self._overlays.get(path)
            if overlay is not None:
                return overlay
        key = (path, self._size)
        cache = self._cache
        if key in cache:
            cache.move_to_end(key)
            pix = cache[key]
            return pix if pix is not None else _tile("broken", self._size)
        self.requested_rows.add(row)
        if row not in self._pending:
            if self._holding:
                self._deferred[row] = path
            else:
                self._submit(row, path)
        return _tile("loading", self._size)

    def _submit(self, row: int, path: str) -> None:
        ticket = _Ticket(path, self._size, row, self._generation, weakref.ref(self))
        self._pending[row] = ticket
        loader().submit(ticket, self._priority)

    def hold(self) -> None:
        """Defer new decodes (while the user scrolls: pages flying past are not decoded, and
        the UI thread keeps the CPU); :meth:`release` submits those still wanted."""
        self._holding = True

    def release(self, first: int, last: int) -> None:
        """Stop deferring; decode the deferred rows within ``first..last``."""
        self._holding = False
        deferred, self._deferred = self._deferred, {}
        for row, path in deferred.items():
            if first <= row <= last and row not in self._pending and row < len(self._items):
                self._submit(row, path)

    def bump_priority(self) -> None:
        """Requests made from now on are served before older ones (newest scroll first)."""
        self._priority = min(self._priority + 1, 2**30)

    def keep_only(self, first: int, last: int) -> int:
        """Drop pending requests outside rows ``first..last``; returns how many were dropped."""
        dropped = [r for r in self._pending if r < first or r > last]
        for r in dropped:
            self._pending.pop(r).cancelled = True
        return len(dropped)

    def pending_count(self) -> int:
        """Thumbnails asked for and not delivered yet (queued, decoding or deferred)."""
        return len(self._pending) + len(self._deferred)

    def _cancel_all(self) -> None:
        self._deferred.clear()
        for ticket in self._pending.values():
            ticket.cancelled = True
        self._pending.clear()

    def _on_decoded(self, ticket: _Ticket, image: QImage | None) -> None:
        if ticket.generation != self._generation or ticket.size != self._size:
            return
        if self._pending.get(ticket.row) is ticket:
            del self._pending[ticket.row]
        pix = QPixmap.fromImage(image) if image is not None else None
        key = (ticket.path, ticket.size)
        old = self._cache.pop(key, None)
        self._bytes += _nbytes(pix) - _nbytes(old)
        self._cache[key] = pix
        while len(self._cache) > 1 and (
            len(self._cache) > self.cache_size or self._bytes > self.cache_bytes
        ):
            self._bytes -= _nbytes(self._cache.popitem(last=False)[1])
        self._dirty.add(ticket.row)
        if not self._flush.isActive():
            self._flush.start()

    def _flush_dirty(self) -> None:
        rows, self._dirty = sorted(self._dirty), set()
        n = len(self._items)
        role = [Qt.ItemDataRole.DecorationRole]
        for row in rows:
            if row < n:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx, role)
                self.thumbnail_ready.emit(row)

    def clear_cache(self) -> None:
        self._cache.clear()
        self._bytes = 0


# -- delegate ----------------------------------------------------------------------------------
class _ThumbDelegate(QStyledItemDelegate):
    """Paints a cell: thumbnail centred in a square, caption elided underneath."""

    PAD = 6

    def __init__(self, view: ImageGallery) -> None:
        super().__init__(view)
        self._view = view

    def cell_size(self) -> QSize:
        size = self._view.thumb_size
        text_h = self._view.fontMetrics().height() * self._view.caption_lines
        return QSize(size + 2 * self.PAD, size + text_h + 3 * self.PAD)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return self.cell_size()

    def shown_caption(self, caption: str, fm: QFontMetrics, width: int) -> list[str]:
        """The lines drawn under a thumbnail for ``caption``, each elided to ``width``."""
        return [
            fm.elidedText(line, Qt.TextElideMode.ElideMiddle, width)
            for line in caption_lines(caption, self._view.caption_lines)
        ]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        size = self._view.thumb_size
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        painter.save()
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.highlight().color().lighter(170))
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#EEF2F6"))
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
        # straight to the model (no role dispatch through Qt: this runs for every cell painted)
        model = self._view.gallery_model()
        row = index.row()
        path, caption, _tip = model.item(row)
        pix = model.thumbnail(row, path)
        box = QRect(rect.x() + self.PAD, rect.y() + self.PAD, size, size)
        if isinstance(pix, QPixmap) and not pix.isNull():
            dpr = pix.devicePixelRatio() or 1.0
            w, h = int(pix.width() / dpr), int(pix.height() / dpr)
            target = QRect(box.x() + (size - w) // 2, box.y() + (size - h) // 2, w, h)
            painter.drawPixmap(target, pix)
        if selected:
            painter.setPen(QPen(palette.highlight().color(), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 6, 6)
        if caption:
            fm = option.fontMetrics
            painter.setPen(palette.text().color())
            top = box.bottom() + self.PAD // 2 + 1
            for text in self.shown_caption(caption, fm, rect.width() - 6):
                text_rect = QRect(rect.x() + 3, top, rect.width() - 6, fm.height())
                painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, text)
                top += fm.height()
        if option.state & QStyle.StateFlag.State_HasFocus and self._view.hasFocus():
            painter.setPen(QPen(palette.highlight().color(), 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -2, -2), 6, 6)
        painter.restore()


# -- view --------------------------------------------------------------------------------------
class ImageGallery(SaliencyGallery, QListView):
    """A grid of thumbnails with captions; see the module docstring for how it stays fast.

    Args:
        thumb_size: the thumbnail edge in pixels (48..256).

    A caption with a line break ("cat →\ndog 97.4%") gets two lines under its thumbnail,
    each elided on its own, so a long first part never cuts off the second.
    """

    activated_path = Signal(str)  # double-click / Enter on an item

    def __init__(self, parent: QWidget | None = None, thumb_size: int = 96) -> None:
        super().__init__(parent)
        self.thumb_size = int(min(MAX_THUMB, max(MIN_THUMB, thumb_size)))
        self.caption_lines = 1  # lines under each thumbnail: 2 when a caption has a break
        self.preview_on_activate = True  # open ImagePreviewDialog on double-click / Enter
        self._model = GalleryModel(self, self.thumb_size)
        self.setModel(self._model)
        self._delegate = _ThumbDelegate(self)
        self.setItemDelegate(self._delegate)
        # List mode with left-to-right wrapping is a grid whose layout is O(1) per item with
        # uniform sizes; IconMode's free-placement layout is far slower at 50,000 items.
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.SinglePass)
        self.setSpacing(2)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.setToolTip("")  # items carry their own tooltips
        self._apply_cell_size()
        self._dialogs: list[ImagePreviewDialog] = []
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SCROLL_SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.activated.connect(self._on_activated)

    # -- public API ------------------------------------------------------------------------
    def set_items(self, items: list[tuple[str, str, str]]) -> None:
        """Show ``(path, caption, tooltip)`` items (thumbnails load as cells come into view)."""
        lines = 2 if any("\n" in caption for _path, caption, _tip in items) else 1
        if lines != self.caption_lines:
            self.caption_lines = lines
            self._apply_cell_size()
        self._model.set_items(items)
        self._model.clear_overlays()
        self.scrollToTop()
        self._start_saliency()

    def clear(self) -> None:
        """Remove every item."""
        self._model.set_items([])
        self._model.clear_overlays()
        self._start_saliency()

    def count(self) -> int:
        """Number of items."""
        return self._model.rowCount()

    def selected_paths(self) -> list[str]:
        """Paths of the selected items, in display order."""
        rows = sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        return [self._model.item(r)[0] for r in rows]

    def set_thumb_size(self, size: int) -> None:
        """Change the thumbnail edge (48..256 px); visible thumbnails are decoded again."""
        size = int(min(MAX_THUMB, max(MIN_THUMB, size)))
        if size == self.thumb_size:
            return
        self.thumb_size = size
        self._model.set_thumb_size(size)
        self._apply_cell_size()

    def gallery_model(self) -> GalleryModel:
        return self._model

    def visible_rows(self) -> tuple[int, int]:
        """First and last row whose cell is (at least partly) visible; (0, -1) when none."""
        n = self._model.rowCount()
        vp = self.viewport().rect()
        if n == 0 or vp.isEmpty():
            return 0, -1
        cols, step_y = self._columns(), self.gridSize().height()
        top = self.verticalScrollBar().value()
        first_line = max(0, top // step_y)
        last_line = (top + vp.height()) // step_y
        return min(n - 1, first_line * cols), min(n - 1, (last_line + 1) * cols - 1)

    def _columns(self) -> int:
        """Cells per line of the grid at the current width."""
        return max(1, self.viewport().width() // max(1, self.gridSize().width()))

    # -- internals -------------------------------------------------------------------------
    def _apply_cell_size(self) -> None:
        cell = self._delegate.cell_size()
        self.setGridSize(
            QSize(cell.width() + 2 * self.spacing(), cell.height() + 2 * self.spacing())
        )
        self.verticalScrollBar().setSingleStep(max(12, cell.height() // 3))
        self.doItemsLayout()

    def _on_scrolled(self, _value: int = 0) -> None:
        # newest requests first; forget those for cells more than a line out of view; while
        # scrolling goes on, decode nothing new (see SCROLL_SETTLE_MS)
        self._model.bump_priority()
        first, last = self._wanted_rows()
        self._model.keep_only(first, last)
        self._model.hold()
        self._settle.start()

    def _wanted_rows(self) -> tuple[int, int]:
        first, last = self.visible_rows()
        margin = self._columns()
        return first - margin, last + margin

    def _on_settled(self) -> None:
        self._model.release(*self._wanted_rows())
        self.saliency_scrolled()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        bar = getattr(self, "saliency_bar", None)
        if bar is not None:
            frame = self.frameWidth()
            bar.setGeometry(frame, frame, self.width() - 2 * frame, bar.sizeHint().height())
        self._on_scrolled()

    def _on_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        path, caption, tooltip = self._model.item(index.row())
        self.activated_path.emit(path)
        if self.preview_on_activate:
            self.open_preview(path, " ".join(caption_lines(caption, 1)), tooltip)

    def open_preview(self, path: str, caption: str = "", details: str = "") -> ImagePreviewDialog:
        """Open a non-blocking preview of ``path`` (larger image, path, size, details)."""
        dialog = ImagePreviewDialog(path, caption, details, self)
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _=0, d=dialog: self._dialogs.remove(d))
        dialog.open()
        return dialog


def caption_lines(caption: str, lines: int) -> list[str]:
    """``caption``'s lines in a cell with room for ``lines`` (the extra ones join the last)."""
    parts = caption.split("\n")
    return [*parts[: lines - 1], " ".join(parts[lines - 1 :])]


def _nbytes(pix: QPixmap | None) -> int:
    return 0 if pix is None else pix.width() * pix.height() * 4
