"""The larger preview of one image, opened from a gallery (double-click or Enter)."""

from __future__ import annotations

import os
import weakref

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.units import format_bytes
from automl_gui.gui.widgets._thumbnails import PREVIEW_SIZE, _Ticket, _tile, loader


# -- preview -----------------------------------------------------------------------------------
class ImagePreviewDialog(QDialog):
    """A larger view of one image (up to 512 px) with its path, pixel size and details."""

    loaded = Signal(bool)  # True: image shown; False: it could not be read

    def __init__(
        self, path: str, caption: str = "", details: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(f"Image — {os.path.basename(path)}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.image_label = QLabel("Loading…")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setMinimumSize(260, 200)
        self.image_label.setStyleSheet("background: #FFFFFF; border: 1px solid #D8DEE4;")
        reader = QImageReader(path)
        dims = reader.size()
        fmt = bytes(reader.format().data()).decode("ascii", "replace").upper()
        try:
            nbytes = os.path.getsize(path)
        except OSError:
            nbytes = -1
        lines = [f"<b>{_html(caption)}</b>"] if caption else []
        facts = []
        if dims.isValid():
            facts.append(f"{dims.width():,} × {dims.height():,} px")
        if fmt:
            facts.append(fmt)
        if nbytes >= 0:
            facts.append(format_bytes(nbytes))
        if facts:
            lines.append(" · ".join(facts))
        if details and details != path:
            lines.append(_html(details).replace("\n", "<br>"))
        lines.append(f"<span style='color:#5F6B7A'>{_html(path)}</span>")
        self.info_label = QLabel("<br>".join(lines))
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label.setMaximumWidth(PREVIEW_SIZE + 40)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        copy = buttons.addButton("Copy path", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setToolTip("Copy the file's full path to the clipboard")
        copy.clicked.connect(lambda: QApplication.clipboard().setText(path))
        layout = QVBoxLayout(self)
        layout.addWidget(self.image_label, 1)
        layout.addWidget(self.info_label)
        layout.addWidget(buttons)
        self.ok: bool | None = None
        ticket = _Ticket(path, PREVIEW_SIZE, 0, 0, weakref.WeakMethod(self._on_decoded))
        loader().submit(ticket, 2**30)

    def _on_decoded(self, ticket: _Ticket, image: QImage | None) -> None:
        try:
            if image is None:
                self.image_label.setPixmap(_tile("broken", 128))
                self.image_label.setToolTip("This file cannot be read as an image.")
                self.ok = False
            else:
                self.image_label.setPixmap(QPixmap.fromImage(image))
                self.ok = True
        except RuntimeError:  # closed (C++ object deleted) before the image arrived
            return
        self.loaded.emit(self.ok)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
