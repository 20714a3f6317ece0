"""The Evaluate pages' Calibration tab: whether a classifier's confidence means what it says.

A reliability diagram (``widgets/reliability_plot``) and sentences a non-expert can act on:
"When the model says about 90 %, it is right 78 % of the time" (two classes: on the chance of
the positive class, ``report["calibration"]["on"] == "positive"``: "When the model gives 'yes'
about a 65 % chance, 'yes' is the real answer 52 % of the time", with the average chance
against the real share), the expected calibration error (ECE), what the calibration fitted
on the validation split by the training job (Platt scaling for two classes, temperature
scaling for more; Guo et al. 2017) changed, and what weighting the classes did. The figures come from ``report["calibration"]``; a run saved
before it existed has them worked out from its test predictions in a worker
(``core.trust.calibration.reliability``, pure NumPy: ~50 ms on 50,000 examples).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from automl_gui.gui.format import plural
from automl_gui.gui.pages._trust_data import held_out
from automl_gui.gui.widgets.reliability_plot import FEW, ReliabilityPlot

#: fewer test examples than this make the calibration figures a rough guide (said)
ROUGH_BELOW = 100


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


def example_sentence(bins: list[dict[str, Any]], noun: str, positive: str | None = None) -> str:
    """ "When the model says about 90 %, it is right 78 % of the time (412 test rows)." for the
    fullest of the confident bins (mean confidence ≥ 70 %), else the fullest bin. With
    ``positive`` (bins of P(positive), two classes): "When the model gives 'yes' a 65 % chance,
    'yes' is the answer 52 % of the time" for the fullest bin at 50 % or more."""
    full = [b for b in bins if int(b.get("count") or 0) >= FEW] or [
        b for b in bins if int(b.get("count") or 0) > 0
    ]
    if not full:
        return ""
    sure = [b for b in full if float(b["confidence"]) >= (0.5 if positive else 0.7)] or full
    b = max(sure, key=lambda b: int(b["count"]))
    count = plural(int(b["count"]), f"test {noun}")
    if positive:
        return (
            f"When the model gives '{positive}' about a {_pct(float(b['confidence']))} chance, "
            f"'{positive}' is the real answer {_pct(float(b['accuracy']))} of the time ({count})."
        )
    return (
        f"When the model says about {_pct(float(b['confidence']))}, it is right "
        f"{_pct(float(b['accuracy']))} of the time ({count})."
    )


def average_sentence(bins: list[dict[str, Any]], positive: str) -> str:
    """ "On average it gives 'yes' a 40 % chance, and 22 % of the test rows are 'yes'." """
    used = [b for b in bins if int(b.get("count") or 0) > 0]
    total = sum(int(b["count"]) for b in used)
    if not total:
        return ""
    said = sum(int(b["count"]) * float(b["confidence"]) for b in used) / total
    real = sum(int(b["count"]) * float(b["accuracy"]) for b in used) / total
    return (
        f"On average it gives '{positive}' a {_pct(said)} chance, and {_pct(real)} of the "
        f"examples are '{positive}'."
    )


def weights_sentence(calibration: dict[str, Any], positive: str | None) -> str:
    """What weighting the classes in training does to the probabilities, and whether the
    calibration built into the model corrects it."""
    if not calibration.get("class_weighted"):
        return ""
    what = f"'{positive}'" if positive else "the rarer class"
    if calibration.get("applied"):
        return (
            "The classes were weighted in training, which makes a network overstate the "
            f"rarer class; the calibration built into the model corrects the chance of {what}."
        )
    return (
        "The classes were weighted in training, which makes a network overstate the rarer "
        f"class: read the chance of {what} as too high."
    )


def ece_sentence(ece: float, positive: str | None = None) -> str:
    """The ECE in words: how many percentage points confidence (two classes: the chance of
    ``positive``) is off on average."""
    from automl_gui.core.trust.calibration import HIGH_ECE

    verdict = (
        "well calibrated"
        if ece < HIGH_ECE / 2
        else "fairly calibrated"
        if ece < HIGH_ECE
        else "poorly calibrated: read its probabilities with care"
    )
    what = f"the chance it gives '{positive}'" if positive else "its confidence"
    return (
        f"On average {what} is off by {100 * ece:.1f} percentage points "
        f"(expected calibration error, ECE {ece:.3f}; {verdict})."
    )


def temperature_sentence(calibration: dict[str, Any]) -> str:
    """What temperature scaling did, with the before/after figures."""
    from automl_gui.core.trust.calibration import SAME_ECE

    method = calibration.get("method") or "Temperature scaling (Guo et al. 2017)"
    t, bias = calibration.get("temperature"), calibration.get("bias")
    before, after = calibration.get("ece_before"), calibration.get("ece")
    if calibration.get("applied") and isinstance(t, (int, float)):
        if isinstance(bias, (int, float)) and calibration.get("on") == "positive":
            how = f"slope {1 / t:.2f}, bias {bias:+.2f}"
        else:
            how = f"T = {t:.2f}"
        text = (
            f"{method}: fitted on the validation split ({how}) and built into the saved and "
            "exported model"
        )
        if isinstance(before, (int, float)) and isinstance(after, (int, float)):
            change = " — no real change there" if abs(after - before) < SAME_ECE else ""
            text += f" (test ECE {before:.3f} before → {after:.3f} after{change})"
        return text + "."
    reason = calibration.get("reason") or "it did not lower the validation ECE"
    return f"{method}: not applied ({reason})."


class CalibrationTab(QWidget):
    """The reliability diagram with its sentences (classification runs)."""

    def __init__(self, noun: str, jobs: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun = noun
        self.jobs = jobs  # the trust tabs' TrustJobs (an older run's figures are worked out)
        self.run: Any = None
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.plot = ReliabilityPlot()
        self.plot.setToolTip(
            "Blue bars: how often the model was right among the test examples whose "
            "confidence fell in each band. A calibrated model's bars reach the dashed "
            "diagonal. Grey: the share of examples in each band."
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.words)
        layout.addWidget(self.plot, 1)
        self.calibration: dict[str, Any] | None = None

    def show_run(self, run: Any) -> bool:
        """Show ``run``'s calibration (an older run's worked out in a worker); False when
        there is none to show (regression, or no probabilities), so the tab is hidden."""
        self.run = run
        self.calibration = None
        self.plot.show_bins([])
        report = getattr(run, "report", None) or {}
        if report.get("task") == "regression":
            return False
        stored = report.get("calibration")
        if isinstance(stored, dict) and stored.get("reliability"):
            self._show(stored)
            return True
        answers = held_out(run)
        if answers is None or not answers.known.any():
            return False
        self.words.setText("Working out how often the model is right at each confidence…")
        self.jobs.start(
            lambda: worked_out(answers), lambda found, r=run: self._found(r, found), self
        )
        return True

    def _found(self, run: Any, calibration: dict[str, Any]) -> None:
        if run is self.run:
            self._show(calibration)

    def _show(self, calibration: dict[str, Any]) -> None:
        self.calibration = calibration
        bins = list(calibration.get("reliability") or [])
        positive = calibration.get("positive") if calibration.get("on") == "positive" else None
        positive = str(positive) if positive else None
        self.plot.show_bins(bins, positive)
        parts = [example_sentence(bins, self.noun, positive)]
        if positive:
            parts.append(average_sentence(bins, positive))
        total = sum(int(b.get("count") or 0) for b in bins)
        if 0 < total < ROUGH_BELOW:
            parts.append(
                f"With {plural(total, f'test {self.noun}')}, these figures are a rough guide."
            )
        ece = calibration.get("ece")
        if isinstance(ece, (int, float)):
            parts.append(ece_sentence(float(ece), positive))
        if "applied" in calibration:
            parts.append(temperature_sentence(calibration))
            parts.append(weights_sentence(calibration, positive))
        else:
            parts.append("This run was trained before temperature scaling was offered.")
        self.words.setText(" ".join(p for p in parts if p))


def worked_out(answers: Any) -> dict[str, Any]:
    """The reliability of an older run's test answers (``HeldOut``), its bins under
    ``"reliability"`` as in ``report["calibration"]``."""
    from automl_gui.core.trust.calibration import reliability

    keep = answers.known
    found = dict(reliability(answers.y_true[keep], answers.proba[keep]))
    found["reliability"] = found.get("bins") or []
    return found
