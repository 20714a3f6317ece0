"""The Evaluate pages' Threshold tab (binary classifiers): choose the probability at which the
positive class is predicted, and store it with the model.

The threshold is chosen on the validation split's answers the run keeps
(``report["validation_answers"]``) and its test figures shown beside as what to expect; older
runs have only the test split, on which the choice is then said to be optimistic. The curves
are ``core.trust.thresholds.threshold_curve``, worked out in a worker once per run shown
(sklearn's precision–recall points plus a grid: ~30 ms on 50,000 rows, but importing
scikit-learn the first time takes a second or two). "Use this threshold" writes
``metadata["threshold"]`` with ``set_threshold`` (with the test precision and recall); Reset
goes back to the trained model's own boundary when calibration stored one
(``thresholds.boundary_value``), else removes it (``clear_threshold``). Either marks the
project changed, so the next save writes the run again and the value is there after
reopening.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from automl_gui.gui.pages._trust_data import binary_scores, validation_scores
from automl_gui.gui.widgets.threshold_view import DEFAULT, ThresholdView


class ThresholdTab(QWidget):
    """:class:`ThresholdView` over the current run; ``changed()`` is called after the run's
    stored threshold changed."""

    def __init__(
        self, jobs: Any, changed: Callable[[Any], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs  # the trust tabs' TrustJobs
        self._changed = changed
        self.run: Any = None
        self.stored = QLabel()
        self.stored.setWordWrap(True)
        self.view = ThresholdView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stored)
        layout.addWidget(self.view, 1)
        self.view.use_clicked.connect(self.use)
        self.view.reset_clicked.connect(self.reset)

    def show_run(self, run: Any) -> bool:
        """Show ``run``'s threshold (its curves worked out in a worker); False unless it is a
        binary classifier with test probabilities (the tab is then hidden)."""
        self.run = None
        scores = binary_scores(run) if run is not None else None
        if scores is None or len(scores[1]) == 0:
            return False
        positive, y01, p = scores
        validation = validation_scores(run, positive)
        self.run = run
        self.view.curve = None
        self.view.setEnabled(False)
        self.stored.setText("Working out precision and recall at each threshold…")

        def work() -> Any:
            from automl_gui.core.trust.thresholds import threshold_curve

            test = threshold_curve(y01, p)
            if validation is None:
                return test, None
            return threshold_curve(*validation), test

        self.jobs.start(work, lambda curves, r=run: self._curve_ready(r, positive, curves), self)
        return True

    def _curve_ready(self, run: Any, positive: str, curves: Any) -> None:
        if run is not self.run:
            return
        curve, test = curves
        stored = self._stored()
        value = float(stored.get("value", DEFAULT)) if stored else self._default()
        self.view.set_curve(curve, positive, value, test)
        if stored:
            self.view.set_value(value, str(stored.get("chosen") or "by hand"))
        self.view.setEnabled(True)
        self._say()

    def _stored(self) -> dict[str, Any]:
        chosen = (self.run.metadata or {}).get("threshold") if self.run is not None else None
        return chosen if isinstance(chosen, dict) else {}

    def _default(self) -> float:
        """Where the model decides with no threshold chosen by a person: the trained
        model's own boundary when calibration moved it (``thresholds.boundary_value``), else
        0.5."""
        from automl_gui.core.trust.thresholds import boundary_value, is_boundary

        if self.run is None:
            return DEFAULT
        stored = self._stored()
        if stored and is_boundary(stored):
            return float(stored["value"])
        value = boundary_value(self.run.metadata or {})
        kept = ((self.run.report or {}).get("calibration") or {}).get("boundary")
        if value == DEFAULT and isinstance(kept, int | float):  # the report keeps it too
            value = float(kept)
        return value

    def _chosen_by_person(self) -> bool:
        from automl_gui.core.trust.thresholds import is_boundary

        stored = self._stored()
        return bool(stored) and not is_boundary(stored)

    def _say(self) -> None:
        from automl_gui.core.trust.thresholds import threshold_words

        default = self._default()
        if self._stored():
            text = threshold_words(self.run.metadata)
        else:
            text = (
                f"No threshold stored: the model predicts {self.view.positive!r} when it is "
                "the more likely class (probability at least 0.5)."
            )
        self.stored.setText(
            f"<b>{text}</b> The Results tab's figures are the trained model's own decisions."
        )
        self.view.reset_button.setText(
            f"&Reset to {default:.2f}" if default != DEFAULT else "&Reset to 0.5"
        )
        self.view.reset_button.setToolTip(
            "Go back to the trained model's own boundary (where its decisions were made before "
            "calibration corrected the probabilities)"
            if default != DEFAULT
            else "Forget the chosen threshold: the most likely class wins"
        )
        self.view.reset_button.setEnabled(self._chosen_by_person())
        stored = self._stored()
        self.view.set_stored(float(stored["value"]) if stored else default)

    def use(self, value: float, chosen: str) -> None:
        """Store ``value`` as the run's threshold (``chosen``: how it was picked); the
        precision and recall kept with it are the test split's at that value."""
        if self.run is None or self.view.curve is None:
            return
        from automl_gui.core.trust.thresholds import set_threshold

        at = self.view.test_row(value)
        set_threshold(
            self.run.metadata,
            value,
            chosen,
            positive=self.view.positive,
            precision=at["precision"],
            recall=at["recall"],
            # where it was chosen (threshold_words: "chosen for F1 on the validation split")
            split="validation" if self.view.test_curve is not None else "test",
        )
        self._say()
        self._changed(self.run)

    def reset(self) -> None:
        """Forget the chosen threshold: back to the trained model's own boundary (stored as
        calibration stored it) or, without one, to the most likely class."""
        if self.run is None or self.view.curve is None:
            return
        from automl_gui.core.trust.thresholds import BOUNDARY, clear_threshold, set_threshold

        default = self._default()
        if default != DEFAULT:
            set_threshold(
                self.run.metadata,
                default,
                BOUNDARY,
                positive=self.view.positive,
                source="calibration",
            )
        else:
            clear_threshold(self.run.metadata)
        self.view.set_value(default)
        self._say()
        self._changed(self.run)
