"""Which examples to judge a model on, and a sentence saying which (``evaluate``/``explain``).

A model is judged on examples it never trained on. When the data the user names is the
run's own training data (``metadata["data"]["identity"]`` equals ``kind.identity(dataset)``),
only its test split is judged, rebuilt with the run's recorded settings: a table through
``prepare_data`` with ``metadata["preprocess"]``, files through the kind's own split of the
items (``kind.media(...).split()``) with the recorded split settings, so the same rows or
files come out. Any other data is judged on all its labelled examples. Either way the
sentence says which ("the run's test split (240 of 1,200 rows)").

:func:`test_rows` gives the positions of a run's test rows in the user's table (the window
slices the run's test predictions by a column the model does not take), refusing a table
that is not the run's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from automl_gui.core.base.errors import AutoMLError, ConfigError, DataError

if TYPE_CHECKING:
    import pandas as pd

    from automl_gui.core.base.events import CancelToken, EventCallback

__all__ = ["JudgedData", "judged_data", "test_rows"]


@dataclass
class JudgedData:
    """The examples a model is judged on.

    Attributes:
        inputs: what ``bundle.kind.predict`` (and ``explain``) takes for them: the table's
            rows (every column, the target included) or the items' inputs (file kinds).
        actual: per example, its true answer (class name, or float for regression), in the
            order ``predict`` answers them.
        words: which examples, in a phrase ("the run's test split (240 of 1,200 rows)",
            "all 1,180 labelled rows of the data").
        own: the data is the run's training data (so only its test split is judged).
        rows: tables: the judged rows of the user's table, every column, indexed by their
            positions in it (None for file kinds).
        items: file kinds: the judged dataset items (``path``, ``label``...); None for tables.
        dataset: the data as loaded (a ``LoadedTable`` or a ``MediaDataset``).
        notices: what was left out and why.
    """

    inputs: Any
    actual: np.ndarray
    words: str
    own: bool
    rows: pd.DataFrame | None = None
    items: list[Any] | None = None
    dataset: Any = None
    notices: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.actual)

    @property
    def paths(self) -> list[str]:
        """File kinds: the judged items' paths (their locators; empty for tables)."""
        return [str(item.path) for item in self.items or []]


def judged_data(
    bundle: Any,
    data: Any,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> JudgedData:
    """What to judge ``bundle`` on in ``data``: a path (loaded by the bundle's kind, with the
    text and label columns it trained on), a loaded dataset or a DataFrame. See the module.

    Raises:
        DataError: the data cannot be read, or holds no labelled examples the model knows.
    """
    kind = bundle.kind
    dataset = _load(bundle, data, on_event=on_event, cancel=cancel)
    recorded = (bundle.metadata.get("data") or {}).get("identity")
    try:
        own = bool(recorded) and kind.identity(dataset) == recorded
    except (TypeError, ValueError, AttributeError):
        own = False
    if kind.file_based:
        return _judged_items(bundle, dataset, own)
    return _judged_table(bundle, dataset, own)


def _load(
    bundle: Any,
    data: Any,
    *,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
) -> Any:
    """``data`` as the bundle's kind loads it (a path), or as given (already loaded)."""
    if isinstance(data, (list, tuple)):
        if len(data) != 1:
            raise ConfigError(
                f"{len(data)} datasets were given; a model is judged on one at a time.",
                "Give one labelled table, folder or text dataset.",
            )
        data = data[0]
    if not isinstance(data, (str, os.PathLike)):
        return data
    kind, metadata = bundle.kind, bundle.metadata
    options = {name: metadata[name] for name in kind.load_options if metadata.get(name)}
    try:
        return kind.load(data, on_event=on_event, cancel=cancel, **options)
    except DataError as exc:
        raise DataError(
            f"{data} cannot be judged: {exc.message}",
            exc.hint
            or f"Give labelled data of the model's kind: {kind.input_hint[0].lower()}"
            f"{kind.input_hint[1:]}, with the answers.",
        ) from None


# -- tables -------------------------------------------------------------------------------------
def _preprocess(metadata: dict[str, Any]) -> Any:
    from automl_gui.core.preprocess.config import PreprocessConfig

    stored = metadata.get("preprocess")
    if not stored:
        raise ConfigError(
            "The model does not record its preprocessing settings.",
            "Train it again with this version of the app.",
        )
    return PreprocessConfig.from_dict(stored)


def _judged_table(bundle: Any, dataset: Any, own: bool) -> JudgedData:
    df = getattr(dataset, "df", dataset)
    metadata = bundle.metadata
    target = metadata.get("target") or (metadata.get("preprocess") or {}).get("target")
    items = bundle.kind.items
    if not target or target not in df.columns:
        raise DataError(
            f"The data has no column '{target}' (what the model predicts), so its answers "
            "cannot be judged.",
            f"Give {items} with the true answers in a column named '{target}'.",
        )
    if own:
        positions = test_rows(df, _preprocess(metadata), bundle.task)
        rows = df.iloc[positions]
        rows.index = positions
        actual, keep, notices = _table_labels(bundle, rows[target])
        words = f"the run's test split ({len(positions):,} of {len(df):,} {items})"
    else:
        actual, keep, notices = _table_labels(bundle, df[target])
        positions = np.flatnonzero(keep)
        rows = df.iloc[positions]
        rows.index = positions
        actual = actual[keep]
        keep = np.ones(len(rows), dtype=bool)
        left = len(df) - len(rows)
        words = f"all {len(rows):,} labelled {items} of the data" + (
            f" ({left:,} of {len(df):,} left out)" if left else ""
        )
    if not keep.all():  # own data: a test row whose class the model lacks (cannot happen)
        rows, actual = rows[keep], actual[keep]
    if not len(rows):
        raise DataError(
            f"No {items} of the data have an answer the model could be judged on.",
            f"Give {items} with the true answers in '{target}'.",
        )
    return JudgedData(
        inputs=rows,
        actual=actual,
        words=words,
        own=own,
        rows=rows,
        dataset=dataset,
        notices=notices,
    )


def _table_labels(bundle: Any, series: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(true answers, which rows have a usable one, notices) of a target column."""
    from automl_gui.core.preprocess._inputs import numeric_values
    from automl_gui.core.preprocess._target import canonical_labels

    items, notices = bundle.kind.items, []
    names = bundle.class_names
    if bundle.task == "regression" or not names:
        try:
            values = numeric_values(series, str(series.name))
        except DataError:
            raise DataError(
                f"Column '{series.name}' holds text, but the model predicts a number.",
                "Give the table the model was trained for.",
            ) from None
        keep = np.isfinite(values)
        if (~keep).any():
            notices.append(
                f"{int((~keep).sum()):,} {items} without a number in '{series.name}' were left out."
            )
        return values.astype("float64"), keep, notices
    labels = canonical_labels(series)
    actual = np.asarray(labels.values, dtype=object)
    present = labels.present.copy()
    known = np.isin(actual, np.asarray(names, dtype=object)) & present
    if (present & ~known).any():
        unseen = sorted({str(v) for v in actual[present & ~known]})
        shown = ", ".join(f"'{v}'" for v in unseen[:5]) + (" …" if len(unseen) > 5 else "")
        notices.append(
            f"{int((present & ~known).sum()):,} {items} have classes the model never learned "
            f"({shown}) and were left out."
        )
    if (~present).any():
        notices.append(f"{int((~present).sum()):,} {items} without a label were left out.")
    return actual, known, notices


def test_rows(
    df: pd.DataFrame,
    preprocess_config: Any,
    task: Any = None,
    *,
    expected: pd.DataFrame | int | None = None,
) -> np.ndarray:
    """The positions in ``df`` of a run's test rows: ``prepare_data`` again with the run's
    settings (``preprocess_config``, a ``PreprocessConfig`` or its dict; ``task`` overrides
    its task when given), whose split is deterministic. ``expected`` (the run's test
    predictions, or their number) is compared with what comes out.

    Raises:
        DataError: ``df`` is not the table the run was trained on (a column missing, another
            number of rows or other values), said with what to do.
    """
    import dataclasses

    from automl_gui.core.preprocess.config import PreprocessConfig
    from automl_gui.core.preprocess.tabular import prepare_data

    config = (
        PreprocessConfig.from_dict(preprocess_config)
        if isinstance(preprocess_config, dict)
        else preprocess_config
    )
    if task is not None:
        config = dataclasses.replace(config, task=str(getattr(task, "value", task)))
    hint = "Open the table the run was trained on (the same file, unchanged)."
    try:
        prepared = prepare_data(df, config)
    except AutoMLError as exc:
        raise DataError(
            f"This table is not the one the run was trained on: {exc.message}", hint
        ) from None
    positions = np.asarray(prepared.test_positions, dtype=np.int64)
    if expected is None:
        return positions
    n = expected if isinstance(expected, int) else len(expected)
    if n != len(positions):
        raise DataError(
            f"This table is not the one the run was trained on: its test split has "
            f"{len(positions):,} rows, the run's has {n:,}.",
            hint,
        )
    if not isinstance(expected, int):
        _same_values(prepared.test, expected, hint)
    return positions


def _same_values(test: pd.DataFrame, expected: pd.DataFrame, hint: str) -> None:
    """DataError naming the first feature column whose test values differ from the run's."""
    import pandas as pd

    for column in test.columns:
        if column not in expected.columns:
            continue
        ours, theirs = test[column], expected[column]
        if pd.api.types.is_numeric_dtype(ours) and pd.api.types.is_numeric_dtype(theirs):
            a = ours.to_numpy(dtype="float64", na_value=np.nan)
            b = theirs.to_numpy(dtype="float64", na_value=np.nan)
            same = np.isclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True)
        else:
            same = ours.astype(str).to_numpy() == theirs.astype(str).to_numpy()
            same |= ours.isna().to_numpy() & theirs.isna().to_numpy()
        if not np.all(same):
            raise DataError(
                f"This table is not the one the run was trained on: '{column}' differs in "
                f"{int((~same).sum()):,} of its test rows.",
                hint,
            )


# -- files --------------------------------------------------------------------------------------
def _judged_items(bundle: Any, dataset: Any, own: bool) -> JudgedData:
    kind, metadata = bundle.kind, bundle.metadata
    items = list(getattr(dataset, "items", None) or [])
    total = len(items)
    if own:
        preprocess = kind.preprocess_from_dict(metadata.get("preprocess") or {})
        items = list(kind.media(dataset, preprocess).split().test)
        words = f"the run's test split ({len(items):,} of {total:,} {kind.items})"
    else:
        words = f"all {total:,} labelled {kind.items} of the data"
    names = set(bundle.class_names or [])
    known = [item for item in items if item.label in names]
    notices = []
    if len(known) < len(items):
        unseen = sorted({str(item.label) for item in items if item.label not in names})
        shown = ", ".join(f"'{v}'" for v in unseen[:5]) + (" …" if len(unseen) > 5 else "")
        notices.append(
            f"{len(items) - len(known):,} {kind.items} have classes the model never learned "
            f"({shown}) and were left out."
        )
        if not own:
            words = (
                f"{len(known):,} labelled {kind.items} of the data ({total - len(known):,} "
                f"of {total:,} left out)"
            )
    if not known:
        raise DataError(
            f"None of the {kind.items} belongs to a class the model knows "
            f"({', '.join(sorted(names)[:5])}).",
            f"Give {kind.items} in folders named after the model's classes.",
        )
    actual = np.asarray([item.label for item in known], dtype=object)
    return JudgedData(
        inputs=kind.item_inputs(known),
        actual=actual,
        words=words,
        own=own,
        items=known,
        dataset=dataset,
        notices=notices,
    )
