"""The Evaluate pages' Subgroups tab: the model's figures for each group of the test split.

What can be grouped by differs between pages, so each page hands the tab a *groups source*:
:class:`TableGroups` (every column of the loaded table, features or not: a column the model
does not take comes from the table's own test rows, ``core.trust._data.test_rows``) or
:class:`FileGroups` ("subfolder", or a CSV of per-file attributes). The groups and their
metrics (``core.trust.slices.slice_metrics``, fairlearn's ``MetricFrame``) are worked out in
a worker; the result goes into ``run.report["slices"]`` (so "Save report…" and the model card
carry it) and the project is marked changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QFileDialog, QInputDialog, QVBoxLayout, QWidget

from automl_gui.gui.widgets.slices_view import SlicesView

SLICES_KEY = "slices"
CSV_CHOICE = "A CSV of per-file attributes…"


def _answers(run: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(actual, predicted, probabilities or None) of ``run``'s test predictions."""
    from automl_gui.core.export.bundle import answer_column

    df = run.test_predictions
    report = run.report or {}
    actual = df[answer_column(df, "actual")].to_numpy()
    predicted = df[answer_column(df, "prediction")].to_numpy()
    names = [str(c) for c in report.get("class_names") or []]
    columns = [answer_column(df, f"probability_{c}") for c in names]
    proba = None
    if names and all(c in df.columns for c in columns):
        proba = df[columns].to_numpy(dtype="float64", na_value=np.nan)
    return actual, predicted, proba


def _answer_columns(df: Any) -> set[str]:
    from automl_gui.core.export.bundle import ANSWERS_ATTR

    named = set((df.attrs.get(ANSWERS_ATTR) or {}).values())
    return named or {
        c
        for c in map(str, df.columns)
        if c in ("actual", "prediction", "confidence") or c.startswith("probability_")
    }


class TableGroups:
    """Group a table run's test rows by any column of the loaded table."""

    def __init__(self, table: Callable[[], Any]) -> None:
        self._table = table  # the loaded LoadedTable (or None)

    def choices(self, run: Any) -> list[str]:
        table = self._table()
        if table is not None:
            return [str(c) for c in table.df.columns]
        df = run.test_predictions
        answers = _answer_columns(df)
        return [str(c) for c in df.columns if str(c) not in answers]

    def ask(self, parent: QWidget, choice: str) -> tuple[str, Any] | None:
        """(the report's key, what the job needs) for the picked entry; None: cancelled."""
        return choice, choice

    def job(self, run: Any, how: Any) -> Callable[[], Any]:
        """A job (run in a worker) returning the groups of the test rows, in their order."""
        column, df, table = str(how), run.test_predictions, self._table()
        if column in df.columns and column not in _answer_columns(df):
            frame = df.reset_index(drop=True)
            return lambda: _groups(frame, column)
        if table is None:
            from automl_gui.core.base.errors import DataError

            raise DataError(
                f"Column '{column}' is not among the run's test rows.",
                "Open the table the run was trained on.",
            )
        preprocess = (run.metadata or {}).get("preprocess") or {}
        if not preprocess:
            from automl_gui.core.base.errors import DataError

            raise DataError(
                f"This run does not record how its rows were split, so '{column}' (not a "
                "column the model takes) cannot be matched to its test rows.",
                "Group by one of the model's own columns, or train the model again.",
            )

        def work() -> Any:
            from automl_gui.core.trust._data import test_rows

            positions = test_rows(table.df, preprocess, run.task, expected=df)
            return _groups(table.df.iloc[positions].reset_index(drop=True), column)

        return work


def _groups(frame: Any, column: str) -> Any:
    from automl_gui.core.trust.slices import groups_for_column

    return groups_for_column(frame, column)


def table_of_items(paths: list[str]) -> str | None:
    """The table file that items read from a table ("<table>#<row>", texts) come from;
    None for files."""
    import os

    file, sep, row = (paths[0] if paths else "").rpartition("#")
    if not sep or not row.isdigit() or not os.path.isfile(file):
        return None
    return file if all(p.startswith(file + "#") for p in paths) else None


def table_columns(file: str) -> list[str]:
    """The column names of a table of items (its header only; [] when unreadable)."""
    import json

    try:
        if Path(file).suffix.lower() in (".jsonl", ".ndjson"):
            with open(file, encoding="utf-8", errors="replace") as handle:
                first = next((line for line in handle if line.strip()), "{}")
            record = json.loads(first)
            return [str(k) for k in record] if isinstance(record, dict) else []
        import pandas as pd

        return [str(c) for c in pd.read_csv(file, nrows=0, sep=None, engine="python").columns]
    except Exception:  # noqa: BLE001 - a moved or odd table: only the other choices
        return []


class FileGroups:
    """Group a file run's test items by subfolder or by a CSV of per-file attributes; items
    read from a table (texts) by that table's other columns instead of a subfolder."""

    def __init__(self, dataset: Callable[[], Any]) -> None:
        self._dataset = dataset  # the loaded MediaDataset (or None)

    def choices(self, run: Any) -> list[str]:
        from automl_gui.core.export.bundle import answer_column

        df = run.test_predictions
        column = answer_column(df, "path")
        table = table_of_items(df[column].astype(str).tolist()) if column in df else None
        if table is None:
            return ["subfolder", CSV_CHOICE]
        text = getattr(self._dataset(), "text_column", None)  # one group per text: no use
        return [c for c in table_columns(table) if c != text] + [CSV_CHOICE]

    def ask(self, parent: QWidget, choice: str) -> tuple[str, Any] | None:
        if choice != CSV_CHOICE:
            return choice, choice
        path, _ = QFileDialog.getOpenFileName(
            parent, "Per-file attributes", "", "CSV (*.csv);;All files (*)"
        )
        if not path:
            return None
        import pandas as pd

        try:
            columns = [str(c) for c in pd.read_csv(path, nrows=0).columns]
        except Exception as exc:  # noqa: BLE001 - any unreadable file: said, not raised
            from automl_gui.core.base.errors import DataError

            raise DataError(f"{Path(path).name} cannot be read as a CSV: {exc}", "") from None
        column, ok = QInputDialog.getItem(
            parent, "Group by", f"Column of {Path(path).name}:", columns[1:] or columns, 0, False
        )
        if not ok:
            return None
        return f"{Path(path).name}:{column}", f"{path}:{column}"

    def job(self, run: Any, how: Any) -> Callable[[], Any]:
        from automl_gui.core.export.bundle import answer_column

        df = run.test_predictions
        paths = df[answer_column(df, "path")].astype(str).tolist()
        labels = df[answer_column(df, "actual")].astype(str).tolist()
        root = getattr(self._dataset(), "root", None)

        def work() -> Any:
            from automl_gui.core.trust.slices import groups_for_files

            return groups_for_files(paths, root, str(how), labels=labels)

        return work


class SlicesTab(QWidget):
    """:class:`SlicesView` over the current run, with a groups source and a worker."""

    def __init__(
        self,
        source: Any,
        run_job: Callable[..., Any],
        changed: Callable[[Any], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self._run_job = run_job  # (job, on_result, busy_row) -> worker
        self._changed = changed
        self.run: Any = None
        self.view = SlicesView()
        self.report: Any = None  # the SliceReport shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.view.show_clicked.connect(self._show_clicked)

    def show_run(self, run: Any) -> bool:
        self.run = run
        self.report = None
        if run is None or run.test_predictions is None:
            return False
        self.view.set_choices(self.source.choices(run))
        stored = (run.report or {}).get(SLICES_KEY) or {}
        if stored:
            key = list(stored)[-1]
            self.view.picker.setCurrentText(key)
            self._show_stored(stored[key])
        else:
            self.view.clear(
                "Pick what to group the test split by, then Show groups: each group's count "
                "and figures, the largest gap between groups, and for two classes the "
                "four-fifths rule on how often each group is predicted positive."
            )
        return True

    def _show_stored(self, stored: dict[str, Any]) -> None:
        from automl_gui.core.trust.slices import SliceReport

        try:
            self.show_report(SliceReport.from_dict(stored))
        except Exception:  # noqa: BLE001 - a damaged entry: offer to work it out again
            self.view.clear("The stored groups cannot be shown: Show groups works them out again.")

    def show_report(self, report: Any) -> None:
        self.report = report
        small = [s[0] for s in report.small or []]
        min_count = int(getattr(report, "min_count", 30) or 30)
        self.view.show_table(report.table, small, list(report.lines()), min_count)
        rule = report.four_fifths
        self.view.show_verdict(
            None if rule is None else bool(rule.passed),
            ""
            if rule is None
            else f"the four-fifths rule on how often each group is predicted '{rule.positive}' "
            f"(ratio {rule.ratio:.2f}; 0.8 or more passes).",
        )

    def _show_clicked(self, index: int) -> None:
        if self.run is None or index < 0:
            return
        from automl_gui.core.base.errors import AutoMLError

        try:
            asked = self.source.ask(self, self.view.picker.itemText(index))
            if asked is None:
                return
            key, how = asked
            groups_job = self.source.job(self.run, how)
        except AutoMLError as exc:
            self.view.clear(f"{exc.message} {exc.hint}".strip())
            return
        from automl_gui.core.trust.thresholds import positive_class

        run = self.run
        actual, predicted, proba = _answers(run)
        task, names = run.task, [str(c) for c in run.report.get("class_names") or []]
        positive = positive_class(run.metadata or {})
        data = f"the run's test split ({len(actual):,} {run.kind.items})"

        def work() -> Any:
            from automl_gui.core.trust.slices import slice_metrics

            groups = groups_job()
            return key, slice_metrics(
                task,
                names or None,
                actual,
                predicted,
                proba,
                groups,
                by=key,
                positive=positive,
                data=data,
            )

        self.view.words.setText("Working out each group's figures…")
        self._run_job(work, lambda result, r=run: self._finished(r, result), self.view)

    def _finished(self, run: Any, result: Any) -> None:
        key, report = result
        if run is not self.run:
            return
        stored = run.report.setdefault(SLICES_KEY, {})
        stored.pop(key, None)  # the latest last: shown again after reopening
        stored[key] = report.to_dict()
        self.show_report(report)
        self._changed(run)
