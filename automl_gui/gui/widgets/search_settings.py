"""The "AutoML search" box of the Model pages: one model or a search for the best one.

Shared by the table, image and audio Model pages. The box edits a
:class:`~automl_gui.core.tune.search.space.SearchConfig` (algorithm, time budget, trials, epochs per
trial), remembers it per data kind in QSettings (``settings.load_search`` / ``save_search``)
and, while a dataset of its kind is loaded, installs it as ``state.search`` (None when the
search is off) and calls ``state.notify_model_changed()``: the Train page then runs the search
instead of training one model. "Compare settings…" opens the comparison-study dialog.

Whether the search is on is not remembered across datasets: a newly opened dataset starts
with one model (the box says so when that turned a search off), a reopened project restores
its own mode (``_project_state`` calls :meth:`SearchSettingsBox.set_search` after loading the
dataset). While the search is on, the fields of the page that it chooses itself
(:meth:`SearchSettingsBox.set_overridden`) are greyed out, with a tooltip saying why, and a
line at the top of the box says what Start will do.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.units import format_duration
from automl_gui.core.kinds import DataKind
from automl_gui.core.tune.search.space import SearchConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.training_settings import combo, select

ALGORITHMS = [
    ("hyperband", "Hyperband"),
    ("bayesian", "Bayesian optimization"),
    ("random", "Random search"),
]
CROSS_VALIDATION = [
    ("auto", "Auto (small tables)"),
    ("off", "Off"),
    ("on", "On"),
]
ALGORITHM_NAMES = {"hyperband": "Hyperband", "bayesian": "Bayesian", "random": "Random"}
ALGORITHM_TIPS = {
    "hyperband": "Tries many settings for a few epochs each, then gives the promising ones "
    "more epochs. The best use of a short time budget (the default).",
    "bayesian": "Learns from each finished trial which settings look promising and tries "
    "those next. Good when each trial is slow and only a few fit in the budget.",
    "random": "Tries settings picked at random, each for the full epochs. Simple and hard to "
    "mislead; a fair yardstick for the other two.",
}
DEFAULT_BUDGET_S = 300
SEARCH_MODE_TEXT = (
    "<b>Search mode:</b> Start on the Train page runs an AutoML search, not one training of "
    "the settings below. The greyed-out settings are the ones the search chooses itself."
)
RESET_TEXT = (
    "A new dataset starts with one model: the search chosen for the previous dataset is off. "
    "Its budget and algorithm are kept; choose “Search for the best model” to run it."
)
OVERRIDDEN_TIP = (
    "Not used in search mode: the search sets this itself. Choose “Train one model” at the "
    "top of the page to set it."
)


def parse_duration(text: str) -> int | None:
    """Seconds in ``"5:00"``, ``"1:02:03"``, ``"90s"`` or ``"5"`` (minutes); None if not."""
    t = text.strip().lower().replace(" ", "")
    if not t:
        return None
    if re.fullmatch(r"\d+s", t):
        return int(t[:-1])
    if re.fullmatch(r"\d+(\.\d+)?(m|min)?", t):
        return round(float(t.rstrip("min")) * 60)
    parts = t.split(":")
    if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts):
        values = [int(p) for p in parts]
        if any(v >= 60 for v in values[1:]):
            return None
        total = 0
        for v in values:
            total = total * 60 + v
        return total
    return None


class DurationSpinBox(QSpinBox):
    """Seconds shown and typed as minutes:seconds ("5:00"); 0 shows "No limit"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 24 * 3600)
        self.setSingleStep(30)
        self.setSpecialValueText("No limit")
        self.setAccelerated(True)

    def textFromValue(self, value: int) -> str:  # noqa: N802 - Qt API
        return format_duration(value)

    def valueFromText(self, text: str) -> int:  # noqa: N802 - Qt API
        seconds = parse_duration(text)
        return self.value() if seconds is None else seconds

    def validate(self, text: str, pos: int) -> object:
        if text == self.specialValueText():
            return QValidator.State.Acceptable, text, pos
        if any(ch not in "0123456789:.smin " for ch in text.lower()):
            return QValidator.State.Invalid, text, pos
        seconds = parse_duration(text)
        if seconds is not None and self.minimum() <= seconds <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class SearchSettingsBox(QGroupBox):
    """One model or an AutoML search, and the search's budget and algorithm.

    Args:
        state: the window's state (``state.search`` is set while ``kind`` is loaded).
        kind: the data kind of the page holding the box (a ``core.kinds.DataKind``); tables
            may cross-validate the search.
    """

    edited = Signal()  # after each user change (never while show_config fills it in)
    mode_changed = Signal(bool)  # the search was turned on or off (by the user or a dataset)
    study_requested = Signal()  # "Compare settings…": the page opens the study dialog

    def __init__(self, state: AppState, kind: DataKind, parent: QWidget | None = None):
        super().__init__("AutoML search", parent)
        self.state = state
        self.kind = kind
        self._updating = False
        self.config = app_settings.load_search(app_settings.current(), kind.name)
        # one model unless the state already runs a search for this kind (a project applied
        # before this box was built): whether to search is the dataset's, not the app's
        self.on = state.kind is kind and state.search is not None
        if self.on:
            self.config = state.search
        self._overridden: dict[QWidget, str] = {}  # the page's fields the search sets: own tips
        self._page_enabled: dict[QWidget, bool] = {}  # what the page's own rules say

        self.single_radio = QRadioButton("Train one model (the settings on this page)")
        self.single_radio.setToolTip("Train the network set up on this page, once.")
        self.search_radio = QRadioButton("Search for the best model")
        self.search_radio.setToolTip(
            "Train many networks with different settings within the time budget, show them "
            "in a leaderboard on the Train page and keep the best."
        )
        modes = QHBoxLayout()
        modes.addWidget(self.single_radio)
        modes.addWidget(self.search_radio)
        modes.addStretch(1)
        self.mode_line = QLabel()  # what Start does in search mode, or why the search is off
        self.mode_line.setWordWrap(True)
        self.mode_line.setProperty("banner", "info")
        self.mode_line.hide()

        self.budget_spin = DurationSpinBox()
        self.budget_spin.setToolTip(
            "How long the whole search may take, as minutes:seconds (type 5:00, 90s or 10 for "
            "ten minutes). No new trial starts after it and the running one is cut short; the "
            "best model so far is kept."
        )
        self.trials_spin = QSpinBox()
        self.trials_spin.setRange(0, 10000)
        self.trials_spin.setSpecialValueText("No limit")
        self.trials_spin.setToolTip(
            "The most networks to try. No limit: as many as fit in the time budget."
        )
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 10000)
        self.epochs_spin.setToolTip(
            "The most epochs one trial trains. Hyperband starts trials with a tenth of this "
            "and gives the promising ones up to all of it."
        )
        self.algorithm_combo = combo(
            ALGORITHMS, "How the next settings to try are chosen (hover an entry for more)."
        )
        for i, (value, _label) in enumerate(ALGORITHMS):
            self.algorithm_combo.setItemData(i, ALGORITHM_TIPS[value], Qt.ItemDataRole.ToolTipRole)
        self.cv_combo = combo(
            CROSS_VALIDATION,
            "Score each trial on several splits of the rows (k-fold) and show mean ± spread: "
            "steadier on small tables, where one validation split is a handful of rows, but "
            "each trial takes k times longer. Auto does it on small tables only.",
        )
        boxes = (self.budget_spin, self.trials_spin, self.epochs_spin, self.algorithm_combo)
        for box in (*boxes, self.cv_combo):
            box.setMaximumWidth(200)
        self.note = muted_label(kind.search_note)
        self.problem = muted_label()
        self.problem.setStyleSheet("color: #B71C1C;")
        self.problem.hide()
        self.compare_button = QPushButton("Compare settings…")
        self.compare_button.setToolTip(
            "Answer questions on your own data: which optimizer, batch size or amount of "
            "training data works best (a table and a plot, exportable)."
        )
        self.compare_button.clicked.connect(self.study_requested)

        self.form = QFormLayout()
        self.form.addRow("Time budget", self.budget_spin)
        self.form.addRow("Trials at most", self.trials_spin)
        self.form.addRow("Epochs per trial", self.epochs_spin)
        self.form.addRow("Algorithm", self.algorithm_combo)
        if not kind.file_based and hasattr(self.config, "cross_validation"):
            self.form.addRow("Cross-validation", self.cv_combo)
        else:
            self.cv_combo.hide()
        self.form.addRow(self.note)
        self.form.addRow(self.problem)
        self.settings_widget = QWidget()
        self.settings_widget.setLayout(self.form)
        self.form.setContentsMargins(0, 0, 0, 0)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.addLayout(modes)
        layout.addWidget(self.mode_line)
        layout.addWidget(self.settings_widget)
        layout.addLayout(bottom)

        self.show_config(self.on, self.config)
        self.search_radio.toggled.connect(self._on_edit)
        for sp in (self.budget_spin, self.trials_spin, self.epochs_spin):
            sp.valueChanged.connect(self._on_edit)
        self.algorithm_combo.currentIndexChanged.connect(self._on_edit)
        self.cv_combo.currentIndexChanged.connect(self._on_edit)
        state.dataset_changed.connect(self._on_dataset_changed)
        self.install()

    # -- config <-> widgets ------------------------------------------------------------------
    def show_config(self, on: bool, config: SearchConfig) -> None:
        """Show ``on`` and ``config`` in the controls (no ``edited`` signal)."""
        self._updating = True
        try:
            self.search_radio.setChecked(on)
            self.single_radio.setChecked(not on)
            self.budget_spin.setValue(int(round(config.time_budget)))
            self.trials_spin.setValue(int(config.max_trials))
            self.epochs_spin.setValue(int(config.max_epochs))
            select(self.algorithm_combo, config.algorithm)
            select(self.cv_combo, getattr(config, "cross_validation", "auto"))
        finally:
            self._updating = False
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.settings_widget.setEnabled(self.on)
        if self.on:
            self._say(SEARCH_MODE_TEXT)
        elif self.mode_line.text() == SEARCH_MODE_TEXT:
            self._say("")
        why = ""
        if self.on and not (self.config.time_budget > 0 or self.config.max_trials > 0):
            why = "Set a time budget or a number of trials: the search needs a limit."
        self.problem.setText(why)
        self.problem.setVisible(bool(why))
        self.grey_overridden()

    def _on_edit(self, *_args: object) -> None:
        if self._updating:
            return
        was = self.on
        self.on = self.search_radio.isChecked()
        if self.on != was:
            self._say("")  # the user chose: no need to explain an earlier reset
        self.config = copy.copy(self.config)
        self.config.time_budget = float(self.budget_spin.value())
        self.config.max_trials = int(self.trials_spin.value())
        self.config.max_epochs = int(self.epochs_spin.value())
        self.config.algorithm = self.algorithm_combo.currentData()
        if hasattr(self.config, "cross_validation") and not self.kind.file_based:
            self.config.cross_validation = self.cv_combo.currentData()
        app_settings.save_search(app_settings.current(), self.kind.name, self.config)
        self._update_enabled()
        self.install()
        self.edited.emit()
        if self.on != was:
            self.mode_changed.emit(self.on)

    def set_search(self, on: bool, config: SearchConfig | None = None) -> None:
        """Turn the search on or off (and set its config) as if edited here (a project's
        own mode: no reset to explain)."""
        if config is not None:
            self.config = config
        self._say("")
        self.show_config(on, self.config)
        self._on_edit()

    def _say(self, text: str) -> None:
        self.mode_line.setText(text)
        self.mode_line.setVisible(bool(text))

    def _on_dataset_changed(self) -> None:
        """A newly opened dataset of this kind starts with one model (a project's own mode
        is set after its dataset loads); the line says so when that turned a search off."""
        if self.state.kind is self.kind:
            turned_off = self.on
            if turned_off:
                self.on = False
                self.show_config(False, self.config)
                self.mode_changed.emit(False)
            self._say(RESET_TEXT if turned_off else "")
        self.install()

    # -- the page's fields the search sets itself --------------------------------------------
    def set_overridden(self, widgets: Iterable[QWidget]) -> None:
        """``widgets`` (fields of the page holding the box) are chosen by the search: greyed
        out while it is on. Call once their own tooltips are set."""
        self._overridden = {w: w.toolTip() for w in widgets}
        self.grey_overridden()

    def grey_overridden(self, page_enabled: Mapping[QWidget, bool] | None = None) -> None:
        """Enable each overridden field as the page's own rules say (``page_enabled``: the
        fields the page greys for its own reasons, e.g. layer sizes under Auto, as the page
        last said; the others are enabled) unless the search is on, when all are greyed out
        with a tooltip saying why. Pages call this wherever they update what is enabled."""
        if page_enabled is not None:
            self._page_enabled.update(page_enabled)
        for widget, tip in self._overridden.items():
            widget.setEnabled(not self.on and self._page_enabled.get(widget, True))
            shown = "\n\n".join(filter(None, (OVERRIDDEN_TIP, tip))) if self.on else tip
            widget.setToolTip(shown)

    def install(self) -> None:
        """While a dataset of this box's kind is loaded, ``state.search`` is its config (None
        when off); the state is told when that changes."""
        if self.state.kind is not self.kind:
            return
        wanted = self.config if self.on else None
        if self.state.search is not wanted:
            self.state.search = wanted
            self.state.notify_model_changed()


def search_summary(config: SearchConfig) -> str:
    """``"Hyperband, 5:00 budget, up to 20 trials of at most 60 epochs"`` for the Train page."""
    parts = [ALGORITHM_NAMES.get(config.algorithm, config.algorithm)]
    if config.time_budget > 0:
        parts.append(f"{format_duration(config.time_budget)} budget")
    trials = f"up to {config.max_trials} trials" if config.max_trials else "trials"
    parts.append(f"{trials} of at most {config.max_epochs} epochs")
    return ", ".join(parts)
