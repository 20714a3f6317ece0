"""The Evaluate pages' trust tabs, one implementation for every kind (issue 18).

:class:`TrustViews` puts the page's results (its stack of classification/regression views)
in a tab widget beside whole-width tabs that judge whether the model can be trusted:
Calibration (classifiers: ``_trust_calibration``), Threshold (binary classifiers:
``_trust_threshold``), Subgroups (``_trust_slices``, with the page's groups source), and the
page's own tabs added with :meth:`TrustViews.add_tab` (tables: Importance and Explain rows,
``_trust_explain``; texts: Important words). Each tab has
``show_run(run) -> bool`` and is hidden when it has nothing to show for the run (regression
has no calibration; only two classes have a threshold).

Slow work runs in workers (:class:`TrustJobs`: progress and Cancel in the tab's busy row,
failures said in the tab); a change to the run (a threshold, subgroup figures) marks the
project changed so the next save writes the run again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMargins
from PySide6.QtWidgets import QTabWidget, QWidget

from automl_gui.gui.pages._trust_calibration import CalibrationTab
from automl_gui.gui.pages._trust_slices import SlicesTab
from automl_gui.gui.pages._trust_threshold import ThresholdTab
from automl_gui.gui.workers import JobWorker, cancel_and_join

#: the Evaluate pages' margins: 2 px less at the sides than Qt's default 11, the room the
#: tab widget's frame takes, so the results fit a 1024-pixel window as they did without it
TRUST_MARGINS = QMargins(9, 11, 9, 11)


class TrustJobs:
    """The trust tabs' workers: one per tab at a time, joined when the window closes."""

    def __init__(self) -> None:
        self.workers: set[JobWorker] = set()
        self._by_owner: dict[int, JobWorker] = {}
        self._cancellable: set[int] = set()  # owners whose Cancel button is connected

    def start(
        self,
        job: Callable[..., Any],
        on_result: Callable[[Any], None],
        owner: Any,
        *,
        on_failed: Callable[[str, str], None] | None = None,
        events: bool = False,
    ) -> JobWorker:
        """Run ``job`` in a worker; ``owner`` (a widget with a ``busy`` row and ``words``
        label, or just ``busy``) shows its progress and Cancel, and its failure. ``events``:
        the job takes ``(on_event, cancel)``; else it takes nothing. A job the same owner
        started before is cancelled (its result is dropped)."""
        previous = self._by_owner.get(id(owner))
        if previous is not None:
            previous.cancel()
        # a child of its owner: when the page goes, so does the worker, whose job is then
        # cancelled (``JobWorker._emit``) and whose signals reach no deleted widget
        worker = JobWorker(job if events else (lambda _e, _c: job()), owner)
        busy = getattr(owner, "busy", None)
        self.workers.add(worker)
        self._by_owner[id(owner)] = worker

        def current() -> bool:
            return self._by_owner.get(id(owner)) is worker

        def finished(result: Any) -> None:
            if current():
                on_result(result)

        def failed(message: str, hint: str) -> None:
            if not current():
                return
            if on_failed is not None:
                on_failed(message, hint)
            elif hasattr(owner, "words"):
                owner.words.setText(f"{message} {hint}".strip())

        def done() -> None:
            self.workers.discard(worker)
            if current():
                del self._by_owner[id(owner)]
                if busy is not None:
                    busy.hide()

        worker.finished.connect(finished)
        worker.failed.connect(failed)
        worker.cancelled.connect(lambda: failed("Stopped.", ""))
        worker.done.connect(done)
        if busy is not None:
            busy.bar.setRange(0, 0)
            busy.label.setText("")
            if id(owner) not in self._cancellable:  # one connection per owner
                self._cancellable.add(id(owner))
                busy.cancel_button.clicked.connect(lambda: self.cancel(owner))
            worker.progress.connect(lambda e: _show_progress(busy, e))
            busy.show()
        worker.start()
        return worker

    def cancel(self, owner: Any) -> None:
        """Stop ``owner``'s job (its answer is dropped)."""
        worker = self._by_owner.get(id(owner))
        if worker is not None:
            worker.cancel()

    def busy(self, owner: Any) -> bool:
        return id(owner) in self._by_owner

    def wait_idle(self, msecs: int = 30000) -> bool:
        return cancel_and_join(list(self.workers), msecs)


def _show_progress(busy: Any, event: Any) -> None:
    busy.bar.setRange(0, 1000)
    busy.bar.setValue(int(round(1000 * max(0.0, min(1.0, float(event.fraction))))))
    busy.label.setText(str(event.message or ""))


class TrustViews:
    """The tabs around a page's results: Results, Calibration, Threshold, Subgroups and the
    page's own tabs (:meth:`add_tab`)."""

    def __init__(
        self,
        state: Any,
        results: QWidget,
        noun: str,
        groups_source: Any,
    ) -> None:
        self.state = state
        self.jobs = TrustJobs()
        self.tabs = QTabWidget()
        # no frame around the pane: the results keep the width they had without the tabs
        self.tabs.setStyleSheet("QTabWidget::pane { border: none; margin: 0; padding: 0; }")
        self.calibration = CalibrationTab(noun, self.jobs)
        self.threshold = ThresholdTab(self.jobs, self.run_changed)
        self.slices = SlicesTab(
            groups_source,
            lambda job, on_result, owner: self.jobs.start(job, on_result, owner),
            self.run_changed,
        )
        self.slices.view.busy.cancel_button.setText("Stop")
        tabs = [
            (results, "Results", "The test split's figures"),
            (
                self.calibration,
                "Calibration",
                "Whether the model's confidence matches how often it is right",
            ),
            (
                self.threshold,
                "Threshold",
                "The probability at which the positive class is predicted",
            ),
            (self.slices, "Subgroups", "The figures for each group of the test split"),
        ]
        self.trust_tabs: list[QWidget] = []
        for widget, title, tip in tabs:
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, tip)
            if widget is not results:
                self.trust_tabs.append(widget)

    def add_tab(self, widget: QWidget, title: str, tip: str) -> None:
        """A page's own trust tab added after the others (``widget.show_run(run) -> bool``)."""
        index = self.tabs.addTab(widget, title)
        self.tabs.setTabToolTip(index, tip)
        self.tabs.setTabVisible(index, False)
        self.trust_tabs.append(widget)

    def show_run(self, run: Any) -> None:
        """Show ``run`` (None: only the results tab, with its empty view)."""
        for tab in self.trust_tabs:
            shown = run is not None and bool(tab.show_run(run))
            self.tabs.setTabVisible(self.tabs.indexOf(tab), shown)
        self.tabs.setCurrentIndex(0)

    def run_changed(self, run: Any) -> None:
        """``run``'s metadata or report changed in a tab: the project has unsaved changes, and
        tabs that show its decisions (``threshold_changed``) follow a new threshold."""
        self.state.mark_dirty()
        for tab in self.trust_tabs:
            follow = getattr(tab, "threshold_changed", None)
            if follow is not None:
                follow(run)

    def visible_titles(self) -> list[str]:
        """The titles of the tabs shown now (tests)."""
        return [self.tabs.tabText(i) for i in range(self.tabs.count()) if self.tabs.isTabVisible(i)]

    def wait_idle(self, msecs: int = 30000) -> bool:
        return self.jobs.wait_idle(msecs)
