"""How a text list's row lays out its text: the text with its blanks folded (:func:`collapsed`,
which keeps where each character went, so word spans of the original text find their place),
wrapped to the row's lines (:func:`wrapped`), and the boxes of highlighted words on those
lines (:class:`RowLayout`). Shared by painting and by the tooltips over words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextLayout, QTextOption

_NON_BLANK = re.compile(r"\S+")


def collapsed(text: str) -> tuple[str, list[int]]:
    """:func:`one_line` of ``text`` and, per character of ``text``, where it is in that line
    (-1 for a blank folded away): how word spans of the text find their place in a row."""
    where = [-1] * len(text)
    parts: list[str] = []
    at = 0
    for match in _NON_BLANK.finditer(text):
        if parts:
            at += 1
        start = match.start()
        for i in range(start, match.end()):
            where[i] = at + i - start
        parts.append(match.group())
        at += match.end() - start
    return " ".join(parts), where


class RowLayout:
    """Where a row's text lines go: ``pieces`` (start in ``flat``, length, text drawn)."""

    def __init__(
        self,
        rect: QRect,
        top: int,
        line: int,
        flat: str,
        where: list[int],
        pieces: list[tuple[int, int, str]],
    ) -> None:
        self.rect, self.top, self.line = rect, top, line
        self.flat, self.where, self.pieces = flat, where, pieces

    def word_boxes(self, words: Sequence[Any], font: QFont) -> list[tuple[QRect, Any]]:
        """The rectangle of each shown word on each line it is drawn on."""
        metrics = QFontMetrics(font)
        boxes = []
        for word in words:
            start, end = word[1], word[2]
            if end > len(self.where) or start >= end:
                continue  # past the painted characters
            first, last = self.where[start], self.where[end - 1]
            if first < 0 or last < 0:
                continue
            for i, (begin, length, drawn) in enumerate(self.pieces):
                lo, hi = max(first, begin), min(last + 1, begin + length)
                if lo >= hi:
                    continue
                x0 = metrics.horizontalAdvance(self.flat[begin:lo])
                x1 = metrics.horizontalAdvance(self.flat[begin:hi])
                shown = metrics.horizontalAdvance(drawn)
                if drawn.endswith("…") and not self.flat[begin : begin + length].endswith("…"):
                    shown -= metrics.horizontalAdvance("…")
                x1 = min(x1, shown)
                if x1 <= x0:
                    continue
                left = self.rect.left()
                boxes.append((QRect(left + x0, self.top + i * self.line, x1 - x0, self.line), word))
        return boxes


def wrapped(text: str, font: QFont, width: int, lines: int) -> list[tuple[int, int, str]]:
    """``text`` word-wrapped to ``width`` pixels in ``font``, at most ``lines`` lines, as
    (start, length, text drawn); the last drawn text ends in "…" when the text goes on."""
    if not text or width <= 0 or lines <= 0:
        return []
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    out: list[tuple[int, int, str]] = []
    layout.beginLayout()
    while len(out) < lines:
        tl = layout.createLine()
        if not tl.isValid():
            break
        tl.setLineWidth(width)
        start, length = tl.textStart(), tl.textLength()
        drawn = text[start : start + length].rstrip()
        if len(out) == lines - 1 and start + length < len(text):
            drawn = QFontMetrics(font).elidedText(text[start:], Qt.TextElideMode.ElideRight, width)
        out.append((start, length, drawn))
    layout.endLayout()
    return out
