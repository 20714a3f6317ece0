"""What the Preprocess pages of file datasets (images, audio clips) share.

:class:`PreviewPage` is their base: edits go into the kind's config and call
``state.notify_preprocess_changed()``; a preview is computed off the UI thread in a
:class:`JobWorker` ~300 ms after the last edit, one at a time, and a result that an edit made
stale is dropped. :class:`SplitBox` holds the validation / test fractions, the seed and the
memory cache; :func:`strength_row` a spin box with a plain-words explanation beside it;
:func:`load_nested_config` reads a remembered config that holds a nested dataclass.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from typing import Any

from PySide6.QtCore import QSignalBlocker, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.kinds import DataKind
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages._serial_job import BackgroundPage, SerialJob
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.columns import stacking_columns
from automl_gui.gui.widgets.page_layout import scrolling_page
from automl_gui.gui.widgets.training_settings import spin

PREVIEW_DEBOUNCE_MS = 300
NOT_READY = "Preview available once the engine has loaded."
MAX_HELD_OUT = 60  # % for validation + test together: training keeps at least 40 %


def load_nested_config(store: Any, key: str, cls: type) -> Any | None:
    """The config remembered under ``key`` (None when absent or unreadable: another version).

    Unknown keys are dropped, at the top level and in nested dataclass fields (``augment``),
    so settings saved by a newer version still load; ``cls.from_dict`` builds the rest.
    """
    raw = store.value(key, "")
    try:
        data = json.loads(str(raw)) if raw else None
        if not isinstance(data, dict):
            return None
        known: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            inner = f.default_factory() if f.default_factory is not MISSING else None
            if is_dataclass(inner):
                names = {g.name for g in fields(inner)}
                value = {k: v for k, v in (value or {}).items() if k in names}
            known[f.name] = value
        return cls.from_dict(known)
    except (TypeError, ValueError, AttributeError):
        return None


def pick_samples(data: Any, n: int, seed: int) -> list[str]:
    """Up to ``n`` file paths, from different classes where possible (fast at 50,000)."""
    rng = random.Random(seed)
    items = data.items
    picked: dict[str, str] = {}
    for i in rng.sample(range(len(items)), min(len(items), 50 * n)):
        item = items[i]
        if item.label not in picked:
            picked[item.label] = item.path
            if len(picked) == n:
                break
    paths = list(picked.values())
    if len(paths) < n:  # fewer classes than rows: fill with other files
        rest = [i.path for i in rng.sample(items, min(len(items), 4 * n)) if i.path not in paths]
        paths += rest[: n - len(paths)]
    return paths


def strength_row(
    low: float, high: float, step: float, tip: str, decimals: int = 2, off: str = "Off"
) -> tuple[QDoubleSpinBox, QLabel, QHBoxLayout]:
    """A spin box whose lowest value reads ``off``, with a label beside it for what the
    value does in plain words (the page fills it in)."""
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    if off:
        box.setSpecialValueText(off)
    box.setToolTip(tip)
    label = muted_label()
    label.setMinimumWidth(150)
    row = QHBoxLayout()
    row.addWidget(box)
    row.addWidget(label, 1)
    return box, label, row


def augment_layout(box: QGroupBox, form: QFormLayout, reset: QPushButton, note: QLabel) -> None:
    """The augmentation group's body: its form, the reset button on the right, a note."""
    layout = QVBoxLayout(box)
    layout.addLayout(form)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(reset)
    layout.addLayout(row)
    layout.addWidget(note)


class SplitBox(QGroupBox):
    """Validation and test shares, seed, and the memory cache, with notes below them.

    Args:
        unit: what the dataset holds, in the tooltips ("images", "clips").
        cache_text, cache_tip: the cache check box's text and tooltip.
    """

    def __init__(
        self, unit: str, cache_text: str, cache_tip: str, parent: QWidget | None = None
    ) -> None:
        super().__init__("Split and loading", parent)
        self.unit = unit
        self.val_spin = spin(5, 45, f"Share of the {unit} held out to watch overfitting and stop.")
        self.test_spin = spin(
            5, 45, f"Share of the {unit} kept aside for the final, unbiased evaluation."
        )
        for box in (self.val_spin, self.test_spin):
            box.setSuffix(" %")
        self.seed_spin = spin(0, 2**31 - 1, "Random seed of the split and the augmentation.")
        self.split_note = muted_label()
        self.cache_check = QCheckBox(cache_text)
        self.cache_check.setToolTip(cache_tip)
        self.cache_note = muted_label()
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for box in (self.val_spin, self.test_spin, self.seed_spin):
            box.setMaximumWidth(150)
        form.addRow("Validation", self.val_spin)
        form.addRow("Test", self.test_spin)
        form.addRow("Seed", self.seed_spin)
        form.addRow("", self.split_note)
        form.addRow("", self.cache_check)
        form.addRow("", self.cache_note)

    @property
    def controls(self) -> tuple[QWidget, ...]:
        return (self.val_spin, self.test_spin, self.seed_spin, self.cache_check)

    def connect_edits(self, slot: Callable[..., None]) -> None:
        """Call ``slot`` after each change of a control (the sender is the control)."""
        for box in (self.val_spin, self.test_spin, self.seed_spin):
            box.valueChanged.connect(slot)
        self.cache_check.toggled.connect(slot)

    def show_config(self, config: Any) -> None:
        """Show ``config``'s fractions, seed and cache (the caller guards against edits)."""
        self.val_spin.setValue(round(config.validation_fraction * 100))
        self.test_spin.setValue(round(config.test_fraction * 100))
        self.seed_spin.setValue(config.seed)
        self.cache_check.setChecked(config.cache)

    def read_into(self, config: Any, changed: object = None) -> None:
        """Write the controls into ``config``. Validation + test above 60 %: the one not just
        ``changed`` gives way, so training keeps at least 40 %."""
        val, test = self.val_spin.value(), self.test_spin.value()
        if val + test > MAX_HELD_OUT:
            other = self.test_spin if changed is self.val_spin else self.val_spin
            with QSignalBlocker(other):
                other.setValue(MAX_HELD_OUT - (val if other is self.test_spin else test))
            val, test = self.val_spin.value(), self.test_spin.value()
        config.validation_fraction = val / 100
        config.test_fraction = test / 100
        config.seed = self.seed_spin.value()
        config.cache = self.cache_check.isChecked()

    def update_split(self, fixed: bool) -> None:
        """Disable the fractions when the folder comes split, else say what training gets."""
        for box in (self.val_spin, self.test_spin):
            box.setEnabled(not fixed)
        if fixed:
            self.split_note.setText(
                "The folder is already split into train / validation / test folders: that "
                "split is used, so these fractions do not apply."
            )
        else:
            train = 100 - self.val_spin.value() - self.test_spin.value()
            self.split_note.setText(
                f"Training gets the other {train} %. Each class is split in these shares."
            )


class PreviewPage(BackgroundPage):
    """Base of the Preprocess pages of file datasets: settings plus a background preview.

    Subclasses set the class attributes, call :meth:`_start` at the end of ``__init__``,
    build their widgets in ``_build`` (including ``preview_status``, a label), show a config
    in ``_show_fields`` and read them back in ``_read_fields``, react in ``_on_dataset_changed`` / ``_on_model_changed``, and implement
    :meth:`preview_data` (the dataset, or None), :meth:`preview_job` (a callable run in the
    worker), :meth:`show_preview` (its result, on the UI thread) and :meth:`clear_preview`.
    """

    empty_text = "Open a dataset on the Data page to preview it here."
    kind: DataKind  # whose preprocessing settings (on the state) this page edits
    settings_key = ""  # where it is remembered in QSettings
    config_cls: type = object
    preview_status: QLabel
    split_box: SplitBox
    intro = ""  # the sentence under the title
    preview_stretch = 1  # the preview column's share of the width (the settings': 1)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._preview_job = SerialJob(self.refresh_preview)
        self._preview_gen = 0
        self._preview_dirty = True
        self._sample_seed = 0
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREVIEW_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh_preview)

    @property
    def config(self) -> Any:
        return self.state.settings(self.kind).preprocess

    def _start(self) -> None:
        """Take the remembered settings, build and fill the widgets, follow the state."""
        saved = load_nested_config(app_settings.current(), self.settings_key, self.config_cls)
        if saved is not None:
            self.state.settings(self.kind).preprocess = saved
        self._build()
        self._show(self.config)
        state = self.state
        state.dataset_changed.connect(self._on_dataset_changed)
        state.model_changed.connect(self._on_model_changed)
        state.preprocess_changed.connect(self._on_preprocess_changed)
        state.engine_ready_changed.connect(lambda _ready: self.schedule_preview())
        self._on_dataset_changed()

    def _save(self) -> None:
        app_settings.save_dataclass(app_settings.current(), self.settings_key, self.config)

    def reset_augmentation(self) -> None:
        """Augmentation back to the defaults (the other settings stay)."""
        self.config.augment = type(self.config.augment)()
        self._show(self.config)
        self._save()
        self._notify()
        self.schedule_preview()

    def _on_preprocess_changed(self) -> None:
        """Show changes made elsewhere (this page's own edits change nothing here)."""
        if not self._updating and not self._emitting:
            self._show(self.config)
            self._save()
            self.schedule_preview()

    # -- to implement ------------------------------------------------------------------------
    def _build(self) -> None:
        raise NotImplementedError

    def _show_fields(self, config: Any) -> None:
        """Put ``config``'s settings (all but the split's) in the widgets."""
        raise NotImplementedError

    def _read_fields(self, config: Any, sender: object) -> None:
        """Write the widgets (all but the split's) into ``config``; ``sender`` was edited."""
        raise NotImplementedError

    def _update_texts(self) -> None:
        """Enabled states and the notes that follow the values."""
        raise NotImplementedError

    def _on_dataset_changed(self) -> None:
        raise NotImplementedError

    def _on_model_changed(self) -> None:
        raise NotImplementedError

    def preview_data(self) -> Any:
        raise NotImplementedError

    def preview_job(self, data: Any) -> Callable[[], Any]:
        """What to compute, as a callable with everything it needs copied (runs in a thread)."""
        raise NotImplementedError

    def show_preview(self, result: Any) -> None:
        raise NotImplementedError

    def clear_preview(self, message: str) -> None:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------------
    def _lay_out(self, settings: QVBoxLayout, preview: QVBoxLayout) -> None:
        """The page: its title and :attr:`intro` above the settings beside the preview (one
        above the other where they do not fit side by side: a 1024-pixel window)."""
        title = QLabel(self.title)
        title.setProperty("role", "title")
        columns = self.columns = stacking_columns((settings, 1), (preview, self.preview_stretch))
        scrolling_page(self, title, muted_label(self.intro), columns)
        columns.follow(self.findChild(QScrollArea))

    def _show(self, config: Any) -> None:
        self._updating = True
        try:
            self._show_fields(config)
            self.split_box.show_config(config)
        finally:
            self._updating = False
        self._update_texts()

    def _on_edit(self, *_args: object) -> None:
        if self._updating:
            return
        sender = self.sender()
        self._read_fields(self.config, sender)
        self.split_box.read_into(self.config, sender)
        self._update_texts()
        self._save()
        self._notify()
        # the split's shares and the cache leave the preview as it is (its seed does not)
        if sender not in self.split_box.controls or sender is self.split_box.seed_spin:
            self.schedule_preview()

    def _notify(self) -> None:
        self._emitting = True  # our own change: the widgets already show it
        try:
            self.state.notify_preprocess_changed()
        finally:
            self._emitting = False

    def schedule_preview(self) -> None:
        """Refresh the preview ~300 ms after the last call (edits come in bursts)."""
        self._preview_gen += 1  # whatever is computing now is stale
        self._debounce.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._preview_dirty:
            self.schedule_preview()

    def refresh_preview(self) -> None:
        """Compute the preview now (in the background); hidden pages wait until shown."""
        self._debounce.stop()
        self._preview_gen += 1
        data = self.preview_data()
        if data is None or not len(data):
            self.clear_preview(self.empty_text)
            self._preview_dirty = False
            return
        if not self.state.engine_ready:
            self.clear_preview(NOT_READY)
            self._preview_dirty = True
            return
        if not self.isVisible():
            self._preview_dirty = True
            return
        self._preview_dirty = False
        if self._preview_job.queue_if_busy():  # one at a time: go again when it is done
            return
        gen = self._preview_gen
        self._preview_job.start(
            self._workers,
            self.preview_job(data),
            lambda result: self._on_preview(gen, result),
            lambda m, h: self._on_preview_failed(gen, m, h),
        )
        self.preview_status.setText("Updating the preview…")

    def _on_preview(self, gen: int, result: Any) -> None:
        if gen == self._preview_gen:  # else an edit came after this one started
            self.show_preview(result)

    def _on_preview_failed(self, gen: int, message: str, hint: str) -> None:
        if gen == self._preview_gen:
            self.clear_preview(f"No preview: {message} {hint}".strip())

    @property
    def preview_busy(self) -> bool:
        return self._preview_job.busy or self._debounce.isActive()

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Stop the debounce timer and join the background jobs (the window calls it on close)."""
        self._debounce.stop()
        self._preview_job.pending = False
        return super().wait_idle(msecs)
