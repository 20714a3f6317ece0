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

from automl_gui.gui.pages._trust_data import chosen_threshold, decided, threshold_phrase
from automl_gui.gui.widgets.slices_view import SlicesView

SLICES_KEY = "slices"
CSV_CHOICE = "A CSV of per-file attributes…"
#: in ``report["slices"][key]``: the threshold the figures were decided at (None: the most
#: likely class); figures of another threshold than the run's are worked out again
THRESHOLD_KEY = "threshold"
NO_SUBFOLDER = "none here: the files sit directly in their class folders"


def _target_names(run: Any, dataset: Any = None) -> set[str]:
    """The column(s) holding the answer the model learns: never offered as a group (grouping by
    the answer makes each group's selection rate its recall or false-alarm rate)."""
    metadata = getattr(run, "metadata", None) or {}
    names = {
        metadata.get("target"),
        (metadata.get("preprocess") or {}).get("target"),
        metadata.get("label_column"),
        getattr(dataset, "label_column", None),
    }
    return {str(n) for n in names if n}


def _answers(run: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(actual, predicted, probabilities or None) of ``run``'s test predictions, decided as
    the model decides now (its stored threshold applied: ``_trust_data.decided``)."""
    from automl_gui.core.export.bundle import answer_column

    df = decided(run)
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
        table, target = self._table(), _target_names(run)
        if table is not None:
            return [str(c) for c in table.df.columns if str(c) not in target]
        df = run.test_predictions
        answers = _answer_columns(df)
        return [str(c) for c in df.columns if str(c) not in answers | target]

    def disabled(self, run: Any) -> dict[str, str]:
        return {}

    def again(self, key: str) -> Any:
        """What :meth:`job` needs to work the stored ``key`` out again."""
        return key

    def ask(self, parent: QWidget, choice: str) -> tuple[str, Any] | None:
        """(the report's key, what the job needs) for the picked entry; None: cancelled."""
        return choice, choice

    def job(self, run: Any, how: Any) -> Callable[[], Any]:
        """A job (run in a worker) returning the groups of the test rows, in their order."""
        column, df, table = str(how), run.test_predictions, self._table()
        target = (run.metadata or {}).get("target")
        if column in df.columns and column not in _answer_columns(df):
            frame = df.reset_index(drop=True)
            return lambda: _groups(frame, column, target)
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
            return _groups(table.df.iloc[positions].reset_index(drop=True), column, target)

        return work


def _groups(frame: Any, column: str, target: str | None = None) -> Any:
    from automl_gui.core.trust.slices import groups_for_column

    return groups_for_column(frame, column, target=target)


def four_fifths_verdict(rule: Any, by: str, phrase: str = "") -> tuple[str | None, str]:
    """(verdict, words) of the four-fifths line: "fails" (red) only for a protected attribute
    whose selection rates differ beyond chance; an ordinary column below 0.8 "below" (it only
    shows the column changes the answer); a ratio below 0.8 within chance "chance"; None
    without a rule (not binary, fewer than two judged groups)."""
    if rule is None:
        return None, ""
    at = f"; {phrase}" if phrase else ""
    what = (
        f"the four-fifths rule on how often each group is predicted '{rule.positive}' "
        f"(ratio {rule.ratio:.2f}; 0.8 or more passes{at})"
    )
    below = bool(getattr(rule, "below", not rule.passed))
    fails = bool(getattr(rule, "fails", not rule.passed))
    if not below:
        return "passes", what + "."
    if not fails:
        return "chance", f"{what}: within what chance gives on groups this small."
    if getattr(rule, "protected", True):
        return "fails", what + "."
    return "below", (
        f"{what}: {by} does not look like a protected attribute (sex, age, ethnicity…), so "
        "this only shows that it changes the answer."
    )


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
        dataset = self._dataset()
        text = getattr(dataset, "text_column", None)  # one group per text: no use
        target = _target_names(run, dataset)
        return [c for c in table_columns(table) if c != text and c not in target] + [CSV_CHOICE]

    def disabled(self, run: Any) -> dict[str, str]:
        """Choices that cannot work for ``run``, with why: "subfolder" when every test file
        sits directly in its class folder."""
        from automl_gui.core.export.bundle import answer_column

        df = run.test_predictions
        path, actual = answer_column(df, "path"), answer_column(df, "actual")
        if path not in df or actual not in df or not len(df):
            return {}
        paths, labels = df[path].astype(str).tolist(), df[actual].astype(str).tolist()
        if table_of_items(paths) is not None:
            return {}
        flat = all(Path(p).parent.name == label for p, label in zip(paths, labels, strict=True))
        return {"subfolder": NO_SUBFOLDER} if flat else {}

    def again(self, key: str) -> Any:
        """What :meth:`job` needs to work the stored ``key`` out again; None for a CSV of
        attributes (its folder is not kept) unless picked in this window."""
        return None if ":" in key else key

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
    """:class:`SlicesView` over the current run, with a groups source and a worker.

    The groups are judged on the answers the model gives now: the run's stored threshold is
    applied first (``_trust_data.decided``), and stored figures decided at another threshold
    (or before one was chosen) are worked out again when shown or when the threshold changes.
    """

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
        self._hows: dict[tuple[int, str], Any] = {}  # (id(run), key) → the job's input
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.view.show_clicked.connect(self._show_clicked)

    def show_run(self, run: Any) -> bool:
        self.run = run
        self.report = None
        if run is None or run.test_predictions is None:
            return False
        choices = self.source.choices(run)
        disabled = self.source.disabled(run)
        self.view.set_choices(choices, disabled)
        stored = (run.report or {}).get(SLICES_KEY) or {}
        if stored:
            key = list(stored)[-1]
            self.view.picker.setCurrentText(key)
            self._show_stored(stored[key])
            if self._stale(run):
                self.refresh(run)
        else:
            self.view.clear(
                "Pick what to group the test split by, then Show groups: each group's count "
                "and figures, the largest gap between groups, and for two classes the "
                "four-fifths rule on how often each group is predicted positive."
            )
        return True

    def _stale(self, run: Any) -> list[str]:
        """The stored groupings decided at another threshold than ``run``'s own."""
        stored = (run.report or {}).get(SLICES_KEY) or {}
        now = chosen_threshold(run)
        return [k for k, d in stored.items() if isinstance(d, dict) and d.get(THRESHOLD_KEY) != now]

    def threshold_changed(self, run: Any) -> None:
        """``run``'s threshold changed: its stored groupings are worked out again."""
        if run is self.run and self._stale(run):
            self.refresh(run)

    def refresh(self, run: Any) -> None:
        """Work out again (in one worker) every stored grouping of ``run`` decided at another
        threshold; one whose groups cannot be found again (a CSV of attributes picked before
        the project was reopened) stays, said to be of another threshold."""
        jobs = []
        for key in self._stale(run):
            how = self._hows.get((id(run), key), self.source.again(key))
            if how is None:
                continue
            try:
                jobs.append((key, self.source.job(run, how)))
            except Exception:  # noqa: BLE001 - cannot be found again: left as it is
                continue
        if not jobs:
            self._say_stale()
            return
        metrics = self._metrics_job(run)

        def work() -> Any:
            return [(key, metrics(key, job())) for key, job in jobs]

        self.view.words.setText("The threshold changed: working out the groups' figures again…")
        self._run_job(work, lambda results, r=run: self._refreshed(r, results), self.view)

    def _refreshed(self, run: Any, results: list[Any]) -> None:
        shown = self.view.picker.currentText()
        stored = run.report.setdefault(SLICES_KEY, {})
        for key, report in results:
            stored[key] = self._entry(run, report)  # same place: the order is kept
        self._changed(run)
        if run is self.run and shown in stored:
            self._show_stored(stored[shown])

    def _show_stored(self, stored: dict[str, Any]) -> None:
        from automl_gui.core.trust.slices import SliceReport

        try:
            self.show_report(SliceReport.from_dict(stored))
        except Exception:  # noqa: BLE001 - a damaged entry: offer to work it out again
            self.view.clear("The stored groups cannot be shown: Show groups works them out again.")
            return
        self._say_stale()

    def _say_stale(self) -> None:
        run, key = self.run, self.view.picker.currentText()
        stored = ((run.report or {}).get(SLICES_KEY) or {}).get(key) if run is not None else None
        if not isinstance(stored, dict) or stored.get(THRESHOLD_KEY) == chosen_threshold(run):
            return
        at = stored.get(THRESHOLD_KEY)
        when = f"at threshold {at:g}" if at is not None else "with the most likely class"
        self.view.words.setText(
            f"<b>These figures were decided {when}, not at the run's threshold now: Show "
            f"groups works them out again.</b><br>{self.view.words.text()}"
        )

    def show_report(self, report: Any) -> None:
        self.report = report
        small = [s[0] for s in report.small or []]
        min_count = int(getattr(report, "min_count", 30) or 30)
        lines = list(report.lines())
        phrase = threshold_phrase(self.run) if self.run is not None else ""
        if phrase and lines:
            lines.insert(1, f"The model's answers {phrase} (as Predict and exports decide).")
        self.view.show_table(report.table, small, lines, min_count)
        self.view.show_verdict(*four_fifths_verdict(report.four_fifths, report.by, phrase))

    def _metrics_job(self, run: Any) -> Callable[[str, Any], Any]:
        """(key, groups) → the SliceReport of ``run``'s answers as decided now (the arrays are
        taken here, in the window's thread; the call runs in the worker)."""
        actual, predicted, proba = _answers(run)
        task, names = run.task, [str(c) for c in run.report.get("class_names") or []]
        from automl_gui.core.trust.thresholds import positive_class

        positive = positive_class(run.metadata or {})
        phrase = threshold_phrase(run)
        data = f"the run's test split ({len(actual):,} {run.kind.items})" + (
            f", {phrase}" if phrase else ""
        )

        def metrics(key: str, groups: Any) -> Any:
            from automl_gui.core.trust.slices import slice_metrics

            return slice_metrics(
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

        return metrics

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
        run = self.run
        self._hows[(id(run), key)] = how
        metrics = self._metrics_job(run)

        def work() -> Any:
            return key, metrics(key, groups_job())

        self.view.words.setText("Working out each group's figures…")
        self._run_job(work, lambda result, r=run: self._finished(r, result), self.view)

    def _entry(self, run: Any, report: Any) -> dict[str, Any]:
        entry = report.to_dict()
        entry[THRESHOLD_KEY] = chosen_threshold(run)
        return entry

    def _finished(self, run: Any, result: Any) -> None:
        key, report = result
        if run is not self.run:
            return
        stored = run.report.setdefault(SLICES_KEY, {})
        stored.pop(key, None)  # the latest last: shown again after reopening
        stored[key] = self._entry(run, report)
        self.show_report(report)
        self._changed(run)
