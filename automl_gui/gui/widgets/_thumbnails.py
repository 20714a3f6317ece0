"""Thumbnail decoding for :mod:`.image_gallery`: worker threads, a shared queue, tiles.

Decoding happens off the UI thread (``QImageReader`` at a scaled size, Pillow as a fallback);
the newest scroll position is served first and requests for cells scrolled past are dropped.
"""

from __future__ import annotations

import atexit
import heapq
import threading
import warnings
import weakref
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRect,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QImage, QImageReader, QPainter, QPen, QPixmap

PathRole = Qt.ItemDataRole.UserRole + 1  # the item's file path
StateRole = Qt.ItemDataRole.UserRole + 2  # "loading" | "ready" | "broken"

CACHE_SIZE = 3000  # thumbnails kept at most...
CACHE_BYTES = 160 * 2**20  # ...and at most this much pixel memory (matters for large thumbs)
MIN_THUMB, MAX_THUMB = 48, 256
PREVIEW_SIZE = 512
# decoding starts once scrolling has paused this long: on 2 busy cores, decoding pages that
# fly past tripled the repaint p99 (a decoder thread and the GIL compete with painting)
SCROLL_SETTLE_MS = 60


# -- decoding (worker threads) -----------------------------------------------------------------
def decode_thumbnail(path: str, size: int) -> QImage | None:
    """Decode ``path`` scaled to fit ``size``×``size`` (never enlarged); None if unreadable.

    Runs in worker threads: uses only ``QImage``/``QImageReader`` (thread-safe), never QPixmap.
    """
    from automl_gui.core.data._file_guard import MAX_IMAGE_PIXELS, special_file

    if special_file(path):  # a named pipe would block the decoder thread forever
        return None
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    full = reader.size()
    if full.isValid() and full.width() * full.height() > MAX_IMAGE_PIXELS:
        return None  # the scan lists it as too large; never decode a bomb for a thumbnail
    if full.isValid() and full.width() > 0 and full.height() > 0:
        if full.width() > size or full.height() > size:
            reader.setScaledSize(full.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        image = _decode_with_pillow(path, size)
        if image is None:
            return None
    if image.width() > size or image.height() > size:
        image = image.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


def _decode_with_pillow(path: str, size: int) -> QImage | None:
    """Pillow fallback for files Qt's plugins do not read (draft mode keeps JPEGs cheap)."""
    try:
        from PIL import Image

        from automl_gui.core.data._file_guard import MAX_IMAGE_PIXELS

        with warnings.catch_warnings():  # Pillow's bomb warning: the bound below decides
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
        with im:
            if im.width * im.height > MAX_IMAGE_PIXELS:
                return None
            im.draft("RGB", (size, size))
            im.thumbnail((size, size))
            im = im.convert("RGBA")
            w, h = im.size
            data = im.tobytes("raw", "RGBA")
    except Exception:  # noqa: BLE001 - any failure means "cannot show this file"
        return None
    return QImage(data, w, h, w * 4, QImage.Format.Format_RGBA8888).copy()


@dataclass(eq=False)
class _Ticket:
    """One decode request; ``cancelled`` is set from the UI thread, read by the worker."""

    path: str
    size: int
    row: int
    generation: int
    owner: Any  # weakref to the GalleryModel (or a callable for one-off requests)
    cancelled: bool = False
    extra: dict = field(default_factory=dict)


class _Loader(QObject):
    """Process-wide decoder: a small thread pool draining one priority queue.

    ``submit`` only pushes onto a heap (microseconds, so painting a page of new cells stays
    cheap); at most ``maxThreadCount`` drain tasks run in the pool, each popping the newest
    request until the queue is empty. Results come back on the UI thread through a signal.
    """

    _done = Signal(object, object)  # ticket, QImage | None

    def __init__(self) -> None:
        super().__init__()
        self.pool = QThreadPool(self)
        # leave a core to the UI thread: on 2 cores, two decoders made repaints 3× slower
        cores = QThreadPool.globalInstance().maxThreadCount()
        self.pool.setMaxThreadCount(max(1, min(4, cores - 1)))
        self.pool.setExpiryTimeout(5000)
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._lock = threading.Lock()
        self._queue: list[tuple[int, int, _Ticket]] = []  # heap of (-priority, seq, ticket)
        self._seq = 0
        self._draining = 0
        self.decoded = 0  # files actually decoded (for tests and benchmarks)
        self.skipped = 0  # stale requests dropped before decoding

    def submit(self, ticket: _Ticket, priority: int = 0) -> None:
        """Queue a decode; higher ``priority`` first, then first come first served."""
        with self._lock:
            self._seq += 1
            heapq.heappush(self._queue, (-priority, self._seq, ticket))
            start = self._draining < self.pool.maxThreadCount()
            if start:
                self._draining += 1
        if start:
            self.pool.start(self._drain)

    def queued(self) -> int:
        """Requests waiting for a decoder."""
        return len(self._queue)

    def _drain(self) -> None:  # worker thread
        while True:
            with self._lock:
                if not self._queue:
                    self._draining -= 1
                    return
                ticket = heapq.heappop(self._queue)[2]
                if ticket.cancelled:
                    self.skipped += 1
                    continue
            image = decode_thumbnail(ticket.path, ticket.size)
            with self._lock:
                self.decoded += 1
            try:
                self._done.emit(ticket, image)
            except RuntimeError:  # the application is shutting down
                pass

    def _deliver(self, ticket: _Ticket, image: QImage | None) -> None:  # UI thread
        owner = ticket.owner() if isinstance(ticket.owner, weakref.ref) else ticket.owner
        if owner is None:
            return
        try:
            on_decoded = getattr(owner, "_on_decoded", None)  # a GalleryModel
            if on_decoded is not None:
                on_decoded(ticket, image)
            else:
                owner(ticket, image)
        except RuntimeError:  # its widget was deleted while the image was decoded
            pass

    def wait(self, msecs: int = 30000) -> bool:
        """Join the decodes in progress (tests, shutdown)."""
        return self.pool.waitForDone(msecs)

    def shutdown(self) -> None:
        """Drop queued decodes and join running ones (at exit, before Qt goes away)."""
        with self._lock:
            for _p, _s, ticket in self._queue:
                ticket.cancelled = True
        try:
            self.pool.waitForDone(5000)
        except RuntimeError:
            pass


_loader: _Loader | None = None


def loader() -> _Loader:
    """The shared decoder (created on first use, parented to the application)."""
    global _loader
    if _loader is None:
        _loader = _Loader()
        app = QCoreApplication.instance()
        if app is not None:
            _loader.setParent(app)
            app.aboutToQuit.connect(_loader.shutdown)
        atexit.register(_loader.shutdown)
    return _loader


# -- tiles -------------------------------------------------------------------------------------
_tiles: dict[tuple[str, int], QPixmap] = {}


def _paint_broken(p: QPainter, rect: QRect, size: int) -> None:
    p.setPen(QPen(QColor("#D9A3A3"), 1.5))
    p.setBrush(QColor("#FBEFEF"))
    p.drawRoundedRect(rect, 6, 6)
    p.setPen(QPen(QColor("#B71C1C"), max(2, size // 32)))
    m = size // 3
    p.drawLine(m, m, size - m, size - m)
    p.drawLine(size - m, m, m, size - m)
    font = QFont()
    font.setPixelSize(max(9, size // 9))
    p.setFont(font)
    p.setPen(QColor("#8E2A2A"))
    p.drawText(
        QRect(0, size - m + 2, size, m - 4),
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
        "can't read",
    )


def _paint_loading(p: QPainter, rect: QRect, _size: int) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#E8ECF0"))
    p.drawRoundedRect(rect, 6, 6)


#: the tiles shown instead of a thumbnail: still loading, or a file that cannot be read
_PAINTERS = {"loading": _paint_loading, "broken": _paint_broken}


def _tile(kind: str, size: int) -> QPixmap:
    """A placeholder ("loading") or "broken" tile of ``size`` px, painted once and reused."""
    key = (kind, size)
    if key in _tiles:
        return _tiles[key]
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    _PAINTERS.get(kind, _paint_loading)(p, QRect(2, 2, size - 4, size - 4), size)
    p.end()
    _tiles[key] = pix
    return pix
