"""Compare Runs: every kept training run of the project, any of them side by side.

Left, the runs list (check the runs to compare, rename in place, sort by any column; the
current run is bold). It shows the runs of one dataset and task at a time, the loaded
dataset's by default (:mod:`automl_gui.gui.runs_groups`); the other data's runs are listed
apart under it, greyed (:class:`OtherRuns`: click one to list its data), the "Runs of" box
picks another dataset or all of them, and a best value is only ever picked among runs of the
same dataset and task. Right, the checked runs' curves overlaid (:class:`RunsPlot`) above a
comparison table: test metrics with the best highlighted, the settings that differ, and how
training went. "Use this run" makes the selected run the one Evaluate, Predict and Export use.
The window follows ``state.runs_changed``: a run finishing while it is open appears, checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.errors import AutoMLError
from automl_gui.gui import runs_data as data
from automl_gui.gui import runs_groups as groups
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import messages
from automl_gui.gui.dialogs._runs_compare import CompareTable
from automl_gui.gui.dialogs._runs_details import RunDetails
from automl_gui.gui.dialogs._runs_others import OtherRuns
from automl_gui.gui.dialogs._runs_picker import GroupPicker
from automl_gui.gui.dialogs._runs_tables import COL_SCORE, RunsList
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner, muted_label
from automl_gui.gui.widgets.runs_plot import RunsPlot, run_color
from automl_gui.gui.widgets.screen import resize_within_screen

KEY_FOLDER = "runs/last_folder"
RIGHT_PANE = 620  # px the curves and the comparison of two runs need beside the list
MIN_RIGHT_PANE = 420  # px they keep when a long run name needs the room
EMPTY_TEXT = "No runs yet: train a model on the Train page; every run is kept here."


class RunsWindow(QDialog):
    """The run history window (non-modal; one per main window)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._checked: set[str] = set()
        self._known: set[str] = set()
        # the DataGroup listed (None: every run), and whether the user chose it
        self._group: groups.DataGroup | None = None
        self._all = False
        self.setWindowTitle("Compare Runs")
        self.setWindowFlags(
            self.windowFlags()
            | Qt.WindowType.WindowMaximizeButtonHint
            | Qt.WindowType.WindowMinimizeButtonHint
        )
        self.setModal(False)
        resize_within_screen(self, 1200, 760)

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setToolTip("How many runs this project keeps and which one is current")
        self.banner = Banner()

        self.picker = GroupPicker()
        self.picker.chosen.connect(self.show_group)

        self.runs_list = RunsList()
        self.runs_list.checked_changed.connect(self._on_checked)
        self.runs_list.rename_requested.connect(self._rename)
        self.runs_list.itemSelectionChanged.connect(self._update_buttons)
        self.others = OtherRuns()
        self.others.chosen.connect(self.show_run)
        self.details = RunDetails()
        self.details.note_edited.connect(self._set_note)
        self.plot = RunsPlot()
        self.compare = CompareTable()
        self.show_all = QCheckBox("Show &all settings")
        self.show_all.setToolTip(
            "Also list the settings that are the same in every checked run (normally only the "
            "ones that differ are shown)"
        )
        self.show_all.toggled.connect(lambda _on: self._refresh_compare())
        self.compare_note = muted_label()
        self.compare_note.setToolTip("Check two or more runs in the list to compare them")

        compare_box = QWidget()
        compare_layout = QVBoxLayout(compare_box)
        compare_layout.setContentsMargins(0, 0, 0, 0)
        compare_head = QHBoxLayout()
        compare_head.addWidget(self.compare_note, 1)
        compare_head.addWidget(self.show_all)
        compare_layout.addLayout(compare_head)
        compare_layout.addWidget(self.compare, 1)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.plot)
        right.addWidget(compare_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setChildrenCollapsible(False)
        right.setSizes([380, 300])
        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.picker)
        list_layout.addWidget(self.runs_list, 1)
        list_layout.addWidget(self.others)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(list_box)
        left.addWidget(self.details)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        left.setChildrenCollapsible(False)
        left.setSizes([520, 160])
        self.left = left
        self._laid_out = False
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([600, 600])

        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "muted")
        self.empty_label.setToolTip("Runs appear here as soon as training finishes")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.splitter)

        self.use_button = QPushButton("&Use this run")
        self.use_button.setProperty("primary", True)
        self.use_button.clicked.connect(lambda: self.use_selected())
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setToolTip(
            "Remove the selected run from the project (Delete); asks first"
        )
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.rename_button = QPushButton("&Rename")
        self.rename_button.setToolTip("Rename the selected run (F2)")
        self.rename_button.clicked.connect(lambda: self.runs_list.edit_name())
        self.csv_button = QPushButton("Export comparison &CSV…")
        self.csv_button.setToolTip("Save the comparison table (checked runs) as a CSV file")
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close this window (Esc or Ctrl+W); the runs stay")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        for button in (self.use_button, self.delete_button, self.rename_button, self.csv_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        for button in (self.use_button, self.rename_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        # Delete acts in the runs list only (not while a name or the note is being edited);
        # F2 and Ctrl+W anywhere in the window; Esc closes (QDialog)
        for keys, slot, widget, context in (
            (Qt.Key.Key_Delete, self.delete_selected, self.runs_list, "widget"),
            (Qt.Key.Key_F2, self.runs_list.edit_name, self, "window"),
            ("Ctrl+W", self.close, self, "window"),
        ):
            shortcut = QShortcut(QKeySequence(keys), widget)
            shortcut.setContext(
                Qt.ShortcutContext.WidgetShortcut
                if context == "widget"
                else Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
            shortcut.activated.connect(lambda s=slot: s())

        self._project = state.project_path
        state.runs_changed.connect(self.reload)
        state.project_changed.connect(self._on_project_changed)
        state.dataset_changed.connect(self.show_current_dataset)
        self.reload()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            QTimer.singleShot(0, self, self.fit_panes)  # once the splitters have their real sizes

    def fit_panes(self) -> None:
        """The list as wide as its columns (between a third and half of the window: the
        comparison needs the other half; wider when a long name and the score need it) and the
        details panel as tall as its text."""
        width = self.splitter.width()
        room = max(width // 2, width - RIGHT_PANE)
        left = max(min(self.runs_list.content_width(), room), width // 3)
        essential = self.runs_list.content_width(COL_SCORE + 1)  # the name whole, the score
        left = max(left, min(essential, width - MIN_RIGHT_PANE))
        self.splitter.setSizes([left, max(width - left, 1)])
        height = self.left.height()
        details = min(self.details.sizeHint().height(), height // 2)
        self.left.setSizes([max(height - details, 1), details])

    # -- state ------------------------------------------------------------------------------
    def colors(self) -> dict[str, str]:
        """Run id → its colour (by its place in the history, so checking keeps colours)."""
        return {r.id: run_color(i) for i, r in enumerate(self.state.runs)}

    def visible_records(self) -> list[Any]:
        """The runs the list shows: those of the chosen dataset and task (or all), oldest
        first."""
        runs = list(self.state.runs)
        if self._all or self._group is None:
            return runs
        return [r for r in runs if self._group.holds(r)]

    def checked_records(self) -> list[Any]:
        """The checked runs the list shows, oldest first (the table's and the CSV's column
        order)."""
        return [r for r in self.visible_records() if r.id in self._checked]

    def reference_group(self) -> groups.DataGroup | None:
        """The loaded dataset's group when it has runs, else the current run's."""
        state = self.state
        return groups.reference_group(
            state.runs,
            kind=state.kind.name,
            dataset=state.dataset_name,
            task=state.task or "",
            current_id=state.current_run_id,
        )

    def show_group(self, group: groups.DataGroup | None) -> None:
        """List the runs of ``group`` (None: every run)."""
        self._all = group is None
        self._group = group if group is not None else self._group
        visible = {r.id for r in self.visible_records()}
        if not self._checked & visible:
            self._checked |= self._default_checks(self.visible_records())
        self._show()

    def show_run(self, run_id: str) -> None:
        """List the runs of ``run_id``'s dataset and task, that run selected (a click on a run
        of other data)."""
        record = self.state.run_record(run_id)
        if record is None:
            return
        self.show_group(groups.group_of(record))
        self.runs_list.selectRow(self.runs_list.row_of(run_id))

    def show_current_dataset(self) -> None:
        """Back to the default: the runs of the loaded dataset (or of the current run)."""
        self._all = False
        self._group = self.reference_group()
        self.reload()

    def _default_checks(self, records: list[Any]) -> set[str]:
        """The current run and the one before it (else the last two)."""
        ids = [r.id for r in records]
        current = self.state.current_run_id
        if current in ids:
            at = ids.index(current)
            return {current, *([ids[at - 1]] if at > 0 else ids[at + 1 : at + 2])}
        return set(ids[-2:])

    def _on_project_changed(self) -> None:
        """Another project was opened: its runs start with the default checks."""
        if self.state.project_path != self._project:
            self._project = self.state.project_path
            self._known = set()
            self.reload()

    def reload(self) -> None:
        """Show the state's runs (after a run was added, renamed, removed or selected)."""
        records = list(self.state.runs)
        ids = {r.id for r in records}
        if self.state.project_path != self._project:  # another project's runs: default checks
            self._project = self.state.project_path
            self._known = set()
        new = [r for r in records if r.id in ids - self._known] if self._known else []
        present = groups.groups(records)
        if not self._known or (self._group not in present and not self._all):
            self._all = False
            self._group = self.reference_group()
        elif new and not self._all and not self._group.holds(new[-1]):
            self._group = groups.group_of(new[-1])  # a run just finished: show its dataset
        visible = self.visible_records()
        if not self._known:
            self._checked = self._default_checks(visible)
        else:
            self._checked = (self._checked & ids) | {r.id for r in new}
            if not self._checked & {r.id for r in visible}:
                self._checked |= self._default_checks(visible)
        self._known = ids
        self._show()

    def _show(self) -> None:
        """Fill the "Runs of" box, the list, the summary and the right side."""
        records = list(self.state.runs)
        visible = self.visible_records()
        self.picker.fill(records, None if self._all else self._group)
        group = None if self._all else self._group
        self.others.fill([r for r in records if group is not None and not group.holds(r)])
        self.stack.setCurrentIndex(1 if records else 0)
        self.runs_list.set_runs(
            visible, self.state.current_run_id, self._checked, self.colors(), self._all
        )
        if self.runs_list.selected_id() is None and visible:
            current = self.state.current_run_id
            row = self.runs_list.row_of(current) if current else -1
            self.runs_list.selectRow(row if row >= 0 else self.runs_list.rowCount() - 1)
        current = self.state.run_record(self.state.current_run_id)
        n = len(records)
        if n:
            text = f"{n} run{'s' * (n != 1)} kept in this project."
            text += f" Current: {current.name}." if current else " No run is current."
        else:
            text = "This project has no runs yet."
        self.summary_label.setText(text)
        self._refresh_right()
        self._update_buttons()

    def _on_checked(self) -> None:
        shown = {r.id for r in self.visible_records()}
        self._checked = (self._checked - shown) | set(self.runs_list.checked_ids())
        self._show()

    def set_checked(self, run_ids: list[str]) -> None:
        """Compare exactly ``run_ids`` (those the list shows)."""
        self._checked = {i for i in run_ids if self.state.run_record(i) is not None}
        self._show()

    def _refresh_right(self) -> None:
        records = self.checked_records()
        self.plot.set_runs(records, self.colors())
        self._refresh_compare()

    def _refresh_compare(self) -> None:
        records = self.checked_records()
        rows = data.comparison_rows(records, self.show_all.isChecked())
        self.compare.show_rows(records, rows)
        mixed = len(groups.groups(records)) > 1
        if not records:
            self.compare_note.setText("Check runs in the list to compare them.")
        elif len(records) == 1:
            self.compare_note.setText("One run checked: check another to compare.")
        elif not self.show_all.isChecked() and not any(r.section == "settings" for r in rows):
            self.compare_note.setText(f"{len(records)} runs; their settings are all the same.")
        elif mixed:
            self.compare_note.setText(
                f"{len(records)} runs of different data: best values highlighted within each "
                "dataset and task only."
            )
        else:
            self.compare_note.setText(f"{len(records)} runs compared; best values highlighted.")

    def _update_buttons(self) -> None:
        selected = self.state.run_record(self.runs_list.selected_id())
        has = selected is not None
        self.details.show_run(selected, has and selected.id == self.state.current_run_id)
        self.use_button.setEnabled(has and selected.id != self.state.current_run_id)
        if not has:
            tip = "Select a run in the list first"
        elif selected.id == self.state.current_run_id:
            tip = f"{selected.name} is already the current run"
        else:
            tip = f"Make {selected.name} the run Evaluate, Predict and Export use"
        self.use_button.setToolTip(tip)
        self.delete_button.setEnabled(has)
        self.rename_button.setEnabled(has)
        self.csv_button.setEnabled(bool(self._checked))

    # -- actions ----------------------------------------------------------------------------
    def _rename(self, run_id: str, name: str) -> None:
        self.state.rename_run(run_id, name)

    def _set_note(self, run_id: str, note: str) -> None:
        record = self.state.run_record(run_id)
        if record is not None and note != (record.note or ""):
            record.note = note
            self.state.mark_dirty()
            self._show()

    def use_selected(self) -> bool:
        """Make the selected run current; False (and a message) when it cannot be loaded."""
        run_id = self.runs_list.selected_id()
        record = self.state.run_record(run_id)
        if record is None:
            return False
        try:
            self.state.select_run(run_id)
        except AutoMLError as exc:
            self.banner.show_message(exc.message, exc.hint, "error")
            return False
        except Exception as exc:  # noqa: BLE001 - loading a model from disk can fail many ways
            detail = "" if isinstance(exc, KeyError) else f" ({exc})"
            self.banner.show_message(
                f"The files of {record.name} could not be loaded{detail}.",
                "Its folder in the project may have been moved or deleted; train it again or "
                "delete this run.",
                "error",
            )
            return False
        self.banner.dismiss()
        self.state.status.emit(f"{record.name} is now the current run.")
        return True

    def delete_selected(self) -> bool:
        """Ask, then remove the selected run from the project; True when removed."""
        run_id = self.runs_list.selected_id()
        record = self.state.run_record(run_id)
        if record is None:
            return False
        extra = (
            " It is the current run: Evaluate, Predict and Export will have no run until you "
            "choose another."
            if run_id == self.state.current_run_id
            else ""
        )
        question = (
            f"Delete {record.name}? Its model and results leave the project when it is next "
            f"saved.{extra}"
        )
        if not messages.confirm(self, "Delete run", question):
            return False
        self.state.remove_run(run_id)
        self.state.status.emit(f"Deleted {record.name}.")
        return True

    def export_csv(self, path: str | Path | None = None) -> Path | None:
        """Write the comparison table as CSV (asks where when ``path`` is None)."""
        from automl_gui.core.base.files import atomic_write

        records = self.checked_records()
        if not records:
            return None
        if not path:
            settings = app_settings.current()
            folder = Path(app_settings.last_folder(settings, KEY_FOLDER))
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export comparison CSV", str(folder / "runs_comparison.csv"), "CSV (*.csv)"
            )
            if not chosen:
                return None
            if not chosen.lower().endswith(".csv"):
                chosen += ".csv"
            app_settings.set_last_folder(settings, chosen, KEY_FOLDER)
            path = chosen
        path = Path(path)
        text = data.comparison_csv(
            records, data.comparison_rows(records, self.show_all.isChecked())
        )
        try:
            atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError as exc:
            self.banner.show_message(
                f"Could not write {path}: {exc.strerror or exc}",
                "Choose another folder, one you can write to.",
                "error",
            )
            return None
        self.state.status.emit(f"Saved {path.name}")
        return path


def open_runs_window(window: Any) -> RunsWindow:
    """Show the Runs window of ``window`` (a main window with ``state``): created once per
    window, raised when already open."""
    dialog = window.findChild(RunsWindow)
    if dialog is None:
        dialog = RunsWindow(window.state, window)
    dialog.show_current_dataset()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
