"""The AutoML search leaderboard's rows: :class:`LeaderboardModel` holds
:class:`~automl_gui.core.tune.search.space.TrialRecord` rows (a running row from
``TrialStarted``, replaced by the ``TrialEnded`` record), marks the best trial and names the
figures' columns after their metric ("Validation accuracy", "Objective: val_loss", "Test
accuracy"); :func:`describe_hyperparameters` writes a trial's settings short. The widget is
``leaderboard.Leaderboard``.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from automl_gui.core.tune.search.space import TrialRecord
from automl_gui.plots.style import short_number

_Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: column keys; the figures' headers name their metric (:meth:`LeaderboardModel.header`)
#: "Worker" (the search worker that ran the trial) shows only when trials ran on several
#: (``Leaderboard`` hides it otherwise)
COLUMNS = (
    "Trial",
    "Status",
    "Worker",
    "Score",
    "Objective",
    "Test",
    "Epochs",
    "Time",
    "Settings",
)
METRIC_WORDS = {"accuracy": "accuracy", "r2": "R²"}
STATUS_TEXT = {
    "running": "● running",
    "completed": "✓ completed",
    "failed": "✗ failed",
    "stopped": "■ stopped",
    "baseline": "◆ baseline",
    "average": "Σ average",
}
STATUS_COLOR = {
    "running": "#1565C0",
    "completed": "#2E7D32",
    "failed": "#C62828",
    "stopped": "#A15C00",
    "baseline": "#52606D",
}
STATUS_TIP = {
    "running": "Training now: its curves are the live plots.",
    "completed": "Trained all the epochs of its round (or stopped early when it stopped "
    "improving).",
    "failed": "Could not be trained; the search went on without it.",
    "stopped": "Cut short by Stop or the time budget; its best epoch still counts.",
    "baseline": "A scikit-learn model trained on the same rows: does the network do better?",
    "average": "One model answering the mean of the best trials' answers, kept only when it "
    "beats the best trial on the validation rows.",
}
BASELINE_BACKGROUND = "#F1F3F5"
BEST_BACKGROUND = "#FFF4D6"
#: the numeric embeddings' short names (Gorishniy et al. 2022: piecewise-linear "PLE",
#: periodic "PLR"); "none" is left out of the row
EMBEDDING_NAMES = {"piecewise": "PLE", "periodic": "PLR"}
OPTIMIZER_NAMES = {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD", "adamax": "Adamax"}


def _num(value: Any) -> str:
    """A short number: 0.1 → "0.10", 0.00125 → "1.25e-3" (3 significant figures: rounding
    to one, 0.00125 read "1e-3"), 64 → "64"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) < 0.01 or abs(value) >= 1e5:
            return short_number(value)
        return f"{value:.2f}" if abs(value) < 1 else f"{value:.3g}"
    return str(value)


def describe_hyperparameters(hp: dict[str, Any]) -> str:
    """Readable settings: ``"PLE ×8, WD 0.02, 2×64, dropout 0.10, L2 1e-4, adam, lr 1e-3,
    batch 32"``.

    The network's family comes first (numeric embedding, members, weight decay: the settings
    the search's rows differ by most), then the known table keys, short; other keys (image and audio spaces, a
    baseline's settings) follow as ``name value``; Keras Tuner's "tuner/..." keys are left out.
    """
    hp = {k: v for k, v in hp.items() if not str(k).startswith("tuner/") and v is not None}
    parts: list[str] = []
    if "model" in hp:
        parts.append(str(hp.pop("model")))
    embedding = str(hp.pop("numeric_embedding", "none"))
    bins = hp.pop("n_bins", None)
    members = hp.pop("ensemble_size", None)
    family = EMBEDDING_NAMES.get(embedding, "")
    if family and bins and embedding == "piecewise":
        family += f" {bins} bins"
    if isinstance(members, int) and members > 1:
        family = f"{family} ×{members}".strip()
    if family:
        parts.append(family)
    decay = hp.pop("weight_decay", 0)
    if decay:  # 0: no decay, nothing to say
        parts.append(f"WD {_num(decay)}")
    if "depth" in hp and "units" in hp:
        depth, units = hp.pop("depth"), hp.pop("units")
        parts.append("linear" if depth == 0 else f"{depth}×{units}")
    if "dropout" in hp:
        parts.append(f"dropout {_num(hp.pop('dropout'))}")
    if "l2" in hp:
        parts.append(f"L2 {_num(hp.pop('l2'))}")
    if hp.pop("batch_norm", False):
        parts.append("batch norm")
    if "optimizer" in hp:
        opt = str(hp.pop("optimizer"))
        parts.append(OPTIMIZER_NAMES.get(opt, opt))
    if "learning_rate" in hp:
        parts.append(f"lr {_num(hp.pop('learning_rate'))}")
    if "batch_size" in hp:
        parts.append(f"batch {hp.pop('batch_size')}")
    parts += [f"{str(k).replace('_', ' ')} {_num(v)}" for k, v in hp.items()]
    return ", ".join(parts)


def _seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def _finite(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


class LeaderboardModel(QAbstractTableModel):
    """Leaderboard rows (trials, then baselines as they come) with the best trial marked."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.records: list[TrialRecord] = []
        self.maximize = False  # the search's direction: higher objective is better
        self.best_id: str | None = None
        self.score_name = ""  # the figure all rows share ("accuracy", "r2")
        self.objective = ""  # what the trials are searched on ("val_loss")

    def header(self, col: str) -> str:
        """A column's title: the figures name their metric ("Validation accuracy",
        "Objective: val_loss", "Test accuracy")."""
        word = METRIC_WORDS.get(self.score_name, self.score_name)
        if col == "Score":
            return f"Validation {word}".strip()
        if col == "Objective":
            return f"Objective: {self.objective}" if self.objective else "Objective"
        if col == "Test":
            return f"Test {word}".strip()
        return col

    def _names_changed(self) -> None:
        """Name the figures' columns from the rows (any row with a shared figure, any trial)."""
        score = next((r.score_name for r in self.records if r.score_name), self.score_name)
        objective = next(
            (r.metric_name for r in self.records if r.status != "baseline"), self.objective
        )
        if (score, objective) != (self.score_name, self.objective):
            self.score_name, self.objective = score, objective
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    # -- feeding -----------------------------------------------------------------------------
    def clear(self, maximize: bool = False) -> None:
        self.beginResetModel()
        self.records = []
        self.maximize = maximize
        self.best_id = None
        self.score_name = self.objective = ""
        self.endResetModel()

    def set_records(self, records: list[TrialRecord], best_id: str | None = None) -> None:
        """Show ``records`` (a finished or resumed search); ``best_id`` overrides the best."""
        self.beginResetModel()
        self.records = list(records)
        self.best_id = best_id if best_id is not None else self._find_best()
        self.endResetModel()
        self._names_changed()

    def start_trial(self, trial_id: str, hyperparameters: dict[str, Any]) -> None:
        """A running row for a trial that just began."""
        self.upsert(TrialRecord(trial_id, dict(hyperparameters), status="running"))

    def upsert(self, record: TrialRecord) -> None:
        """Add ``record`` or replace the row with its trial id."""
        for row, old in enumerate(self.records):
            if old.trial_id == record.trial_id:
                self.records[row] = record
                self._best_changed()
                self._names_changed()
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return
        row = len(self.records)
        self.beginInsertRows(QModelIndex(), row, row)
        self.records.append(record)
        self.endInsertRows()
        self._best_changed()
        self._names_changed()

    def set_epochs(self, trial_id: str, epochs: int) -> None:
        """The running trial's epochs so far (its row counts them live)."""
        for row, r in enumerate(self.records):
            if r.trial_id == trial_id and r.status == "running":
                r.epochs = epochs
                index = self.index(row, COLUMNS.index("Epochs"))
                self.dataChanged.emit(index, index)
                return

    def record(self, trial_id: str | None) -> TrialRecord | None:
        return next((r for r in self.records if r.trial_id == trial_id), None)

    def _find_best(self) -> str | None:
        best: TrialRecord | None = None
        for r in self.records:
            if r.status == "baseline" or not r.scored:
                continue
            if best is None or (r.value > best.value if self.maximize else r.value < best.value):
                best = r
        return best.trial_id if best is not None else None

    def _best_changed(self) -> None:
        best = self._find_best()
        if best != self.best_id:
            self.best_id = best
            if self.records:
                last = self.index(len(self.records) - 1, len(COLUMNS) - 1)
                self.dataChanged.emit(self.index(0, 0), last)

    # -- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            # two lines ("Validation" over "accuracy"): narrow figure columns leave the
            # Settings column room at 1024 px
            return self.header(COLUMNS[section]).replace(": ", "\n").replace(" ", "\n", 1)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            word = METRIC_WORDS.get(self.score_name, self.score_name) or "score"
            return {
                "Score": f"The {word} of each trial's model and of each baseline on the same "
                "validation rows (mean ± spread over the folds when cross-validated): the one "
                "figure that compares them all. Higher is better.",
                "Objective": f"What the search minimizes or maximizes ({self.objective or '…'}): "
                "the trial's best value. ★ marks the best trial, which the search keeps; when "
                "the search trained it on, its row shows that longer model (epochs, figures, "
                "curves). Baselines are not scored on it.",
                "Test": f"The {word} on the test rows (baselines, and the kept model once the "
                "search ends; Evaluate has the kept model's full report).",
                "Worker": "The search worker (Keras Tuner's tuner id) that trained the trial, "
                "in a search run across processes; the chief kept the leaderboard and the "
                "model.",
            }.get(COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.records[index.row()]
        col = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == SORT_ROLE:
            return self._sort_key(r, col)
        if role == Qt.ItemDataRole.UserRole:
            return r.trial_id
        if role == Qt.ItemDataRole.ForegroundRole and col == "Status":
            return QBrush(QColor(STATUS_COLOR.get(r.status, "#1F2933")))
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.trial_id == self.best_id:
                return QBrush(QColor(BEST_BACKGROUND))
            if r.status == "baseline":
                return QBrush(QColor(BASELINE_BACKGROUND))
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(r.trial_id == self.best_id)
            font.setItalic(r.status == "baseline")
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (
            "Score",
            "Objective",
            "Test",
            "Epochs",
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, r: TrialRecord, col: str) -> str:
        if col == "Trial":
            name = r.trial_id.removeprefix("baseline:")
            return f"★ {name}" if r.trial_id == self.best_id else name
        if col == "Status":
            if r.status == "average":  # _ensemble's reason opens with its verdict
                return "Σ average · " + ("kept" if r.reason.startswith("Kept") else "not kept")
            return STATUS_TEXT.get(r.status, r.status)
        if col == "Score":
            return r.score_text()
        if col == "Objective":
            if r.status == "baseline":
                return "—"
            value = _finite(getattr(r, "cv_mean", None))
            std = _finite(getattr(r, "cv_std", None))
            if value is None:
                value = _finite(r.value)
            if value is None:
                return "—"
            return f"{value:.4g} ± {std:.2g}" if std is not None else f"{value:.4g}"
        if col == "Test":
            test = _finite(r.test_score)
            return f"{test:.4g}" if test is not None else "—"
        if col == "Epochs":
            if r.status == "average":  # no training of its own: its members' epochs differ
                return "—"
            return "" if r.status == "baseline" else str(r.epochs)
        if col == "Time":
            return _seconds(r.seconds) if r.status != "running" else "…"
        if col == "Settings":
            return describe_hyperparameters(r.hyperparameters)
        if col == "Worker":
            return r.worker
        return ""

    def _sort_key(self, r: TrialRecord, col: str) -> Any:
        if col == "Score":  # accuracy and R²: higher is better; rows without one sort last
            score = _finite(r.score)
            return -math.inf if score is None else score
        if col == "Objective":  # baselines have none: they sort last, with failed rows
            value = _finite(getattr(r, "cv_mean", None))
            value = _finite(r.value) if value is None else value
            if value is None or r.status == "baseline":  # failed, running rows sort last
                return math.inf if not self.maximize else -math.inf
            return value
        if col == "Test":
            test = _finite(r.test_score)
            return -math.inf if test is None else test
        if col == "Epochs":
            return r.epochs
        if col == "Time":
            return r.seconds
        if col == "Trial":
            return (r.status == "baseline", r.trial_id)
        return self._text(r, col)

    def _tooltip(self, r: TrialRecord, col: str) -> str:
        lines = []
        if col == "Status":
            lines.append(STATUS_TIP.get(r.status, ""))
        if r.reason:
            lines.append(r.reason)
        folds = getattr(r, "cv_folds", None)
        if folds and col in ("Score", "Objective"):
            lines.append(f"Mean over {folds if isinstance(folds, int) else len(folds)} folds.")
        if col == "Settings":
            lines.append(describe_hyperparameters(r.hyperparameters))
        if r.trial_id == self.best_id:
            lines.append("★ The best trial so far: the search keeps it.")
        return "\n".join(line for line in lines if line)
