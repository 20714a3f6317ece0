"""Working out the highlighted words of a text list, off the UI thread.

:class:`ListWords` weighs the words of the texts a :class:`TextBrowser` shows
(``core.trust.words.word_attributions``, for each row's predicted class) a chunk of
:data:`CHUNK` texts at a time in a worker, one run at a time: the selected row and the rows in
sight first, then the rest in order, each chunk's words painted as it comes. A new list drops
what was under way for the old one; turning highlighting off stops starting chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QPoint

from automl_gui.gui.pages._serial_job import SerialJob
from automl_gui.gui.widgets.text_list import TextBrowser
from automl_gui.gui.workers import JobWorker, cancel_and_join

#: texts per worker run: a 16-text chunk of 200-word texts is 3,216 strings, well under a
#: second for the app's text networks
CHUNK = 16


def weigh(bundle: Any, texts: Sequence[str], classes: Sequence[str]) -> list[list[Any]]:
    """The words of ``texts`` weighed for ``classes`` (runs in the worker)."""
    from automl_gui.core.trust.words import word_attributions

    return word_attributions(bundle, list(texts), classes=list(classes))


class ListWords(QObject):
    """Fills a :class:`TextBrowser`'s word highlights in the background."""

    def __init__(self, browser: TextBrowser) -> None:
        super().__init__(browser)
        self.browser = browser
        self.bundle: Any = None
        self.texts: list[str] = []
        self.classes: list[str] = []
        self.pending: set[int] = set()
        self._gen = 0
        self._workers: set[JobWorker] = set()
        self._job = SerialJob(self._next)
        browser.words_toggled.connect(lambda _shown: self._next())
        browser.list.text_changed.connect(lambda _row: self._next())
        browser.list.verticalScrollBar().valueChanged.connect(lambda _v: self._next())

    def start(self, bundle: Any, texts: Sequence[str | None], classes: Sequence[str]) -> None:
        """Weigh the words of the browser's rows: ``texts`` (None: not available, skipped),
        each for its class in ``classes``; what was under way for another list is dropped."""
        self._gen += 1
        if self._job.worker is not None:
            self._job.worker.cancel()
        self.bundle = bundle
        self.texts = [t or "" for t in texts]
        self.classes = [str(c) for c in classes]
        self.pending = {i for i, t in enumerate(self.texts) if t.strip()}
        self._next()

    def stop(self) -> None:
        self.start(None, [], [])

    @property
    def busy(self) -> bool:
        return self._job.busy

    def _next(self) -> None:
        if not self.pending or self.bundle is None or not self.browser.words_shown:
            self._say()
            return
        if self._job.queue_if_busy():  # goes on from where the user is when this one ends
            return
        rows = self._pick()
        gen, bundle = self._gen, self.bundle
        texts = [self.texts[r] for r in rows]
        classes = [self.classes[r] for r in rows]
        self._job.start(
            self._workers,
            lambda: weigh(bundle, texts, classes),
            lambda result: self._got(gen, rows, result),
            lambda message, hint: self._failed(gen, message, hint),
        )
        self._say()

    def _pick(self) -> list[int]:
        """The selected row, the rows in sight from the top one down, then the first left."""
        view = self.browser.list
        first = view.indexAt(QPoint(4, 4)).row()
        order = [view.current_row(), *range(max(first, 0), max(first, 0) + CHUNK)]
        picked = list(dict.fromkeys(r for r in order if r in self.pending))
        rest = sorted(self.pending.difference(picked))
        return (picked + rest)[:CHUNK]

    def _got(self, gen: int, rows: list[int], result: list[list[Any]]) -> None:
        if gen != self._gen:
            return
        self.pending.difference_update(rows)
        self.browser.set_words(dict(zip(rows, result, strict=True)))
        self._say()

    def _failed(self, gen: int, message: str, hint: str) -> None:
        if gen != self._gen:
            return
        self.pending.clear()
        self.browser.words_status.setText(f"No highlights: {message} {hint}".strip())

    def _say(self) -> None:
        total = sum(1 for t in self.texts if t.strip())
        if self.pending and self.browser.words_shown and self.bundle is not None:
            done = total - len(self.pending)
            self.browser.words_status.setText(f"Weighing words… {done:,} of {total:,} texts")
        elif not self.pending:
            self.browser.words_status.setText("")

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Stop and join the run under way (the window calls this on close)."""
        self._job.pending = False
        self.pending.clear()
        return cancel_and_join(list(self._workers), msecs)
