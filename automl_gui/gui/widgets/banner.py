"""In-page message strips: a dismissible banner, the group that shows one banner at a time
in a place, a banner offering a choice, and the muted explanation label under a control."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QToolButton, QWidget


class Banner(QFrame):
    """A dismissible message strip ("info", "success", "warning" or "error") inside a page."""

    dismissed = Signal()

    _ICONS = {
        "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
        "success": QStyle.StandardPixmap.SP_DialogApplyButton,
        "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
        "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        self._icon = QLabel()
        self._text = QLabel()
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss this message")
        close.clicked.connect(self.dismiss)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._text, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.level = "info"
        self.active = False  # a message is up (shown, or held while its place is not shown)
        self.group: BannerGroup | None = None
        self._gone: Callable[[], bool] | None = None
        self.hide()

    @property
    def text(self) -> str:
        """The message shown (plain text, message and hint joined)."""
        return self._text.text()

    def show_message(
        self,
        message: str,
        hint: str = "",
        level: str = "error",
        gone: Callable[[], bool] | None = None,
    ) -> None:
        """Show ``message`` (and ``hint`` on a second line) with the style of ``level``; it
        replaces the other banner of its group. ``gone``: whether its cause is gone, asked
        by :meth:`BannerGroup.refresh` (True dismisses it)."""
        if self.group is not None:
            self.group.replace(self)
        self.active = True
        self._gone = gone
        self.level = level
        self._text.setText(f"{message}\n{hint}" if hint else message)
        self.setProperty("banner", level)
        icon = self.style().standardIcon(self._ICONS.get(level, self._ICONS["info"]))
        self._icon.setPixmap(icon.pixmap(18, 18))
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()

    def dismiss(self) -> None:
        """Hide the banner."""
        self.active = False
        self._gone = None
        self.hide()
        self.dismissed.emit()

    def cause_gone(self) -> bool:
        """Whether the message's cause is gone (as its ``gone`` says; never without one)."""
        return self._gone is not None and bool(self._gone())


class BannerGroup:
    """The banners that share one place (a step's pages and the window's banner while it
    speaks for that step): at most one is up, the newest replaces the others, and
    :meth:`refresh` dismisses the ones whose cause is gone."""

    def __init__(self, banners: Iterable[Banner] = ()) -> None:
        self.banners: list[Banner] = []
        for banner in banners:
            self.add(banner)

    def add(self, banner: Banner) -> None:
        """``banner`` joins this group (leaving the one it was in)."""
        if banner.group is not None and banner.group is not self:
            banner.group.banners.remove(banner)
        if banner not in self.banners:
            self.banners.append(banner)
        banner.group = self

    def replace(self, shown: Banner) -> None:
        """``shown`` is about to show: the others are dismissed."""
        for banner in self.banners:
            if banner is not shown and banner.active:
                banner.dismiss()

    def refresh(self) -> None:
        for banner in list(self.banners):
            if banner.active and banner.cause_gone():
                banner.dismiss()

    def current(self) -> Banner | None:
        """The banner that is up ('None' when none is)."""
        return next((b for b in self.banners if b.active), None)


class ChoiceBanner(QFrame):
    """An info strip offering something back: a sentence and two buttons (e.g. "Resume
    training" / "Discard"); hidden until :meth:`show_text`."""

    def __init__(
        self, yes: tuple[str, str], no: tuple[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("banner", "info")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.yes_button = QPushButton(yes[0])
        self.yes_button.setToolTip(yes[1])
        self.no_button = QPushButton(no[0])
        self.no_button.setToolTip(no[1])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.yes_button)
        layout.addWidget(self.no_button)
        self.hide()

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.show()


def muted_label(text: str = "") -> QLabel:
    """A wrapped label in the muted style (explanations under a control)."""
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label
