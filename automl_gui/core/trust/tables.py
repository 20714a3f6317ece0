"""Why a table model answers as it does, in the user's own columns.

- :func:`permutation_importance`: how much the model's answers get worse when one column's
  values are shuffled among the rows (Breiman 2001; ``_permutation``), over rows with their
  true answers.
- :func:`row_contributions`: each column's share of one answer, against a background of
  training-like rows (sampling Shapley values, Štrumbelj & Kononenko 2014; ``_shapley``).
- :func:`explain_table`: both, as an :class:`~automl_gui.core.trust.explanation.Explanation`
  (``TabularKind.explain``), with ``importance.csv`` and ``contributions.csv`` written.

Both work on the model's raw-row input (the preprocessing is inside the model), so every
explanation is about the columns the user gave, never about encoded features. Rows are
converted to the model's inputs once and mixed as arrays; the mixed rows go to the model in
few large calls. The window runs these in a worker: progress events and ``cancel`` between
model calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import Progress, emit

if TYPE_CHECKING:
    import os

    import pandas as pd

    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.trust.explanation import Explanation

#: model rows one importance may cost (columns × repeats × rows) at most ...
EVAL_BUDGET = 600_000
#: ... and no more than the model answers in this many seconds (timed on the rows, so a
#: heavy network is measured on fewer rows: the Auto network of a 20-column table, 112,000
#: weights in 8 members over a piecewise-linear encoding, answered 2,500–4,000 rows a second
#: on 2 busy shared cores, and 2,000 rows × 20 columns × 5 repeats took 57 s there; a
#: 300-column single MLP of as many weights answers ~150,000 a second)
SECONDS = 6.0
#: ... but never fewer model rows than this
MIN_BUDGET = 20_000
#: rows the model's speed is timed on (as many as the explanations' calls hold, roughly)
TIMING_ROWS = 2048
#: fewest rows an importance is measured on when a wide table's columns cut the rows
MIN_ROWS = 200
#: background rows for contributions (more add time, not accuracy worth having)
MAX_BACKGROUND = 100
#: rows explained by :func:`explain_table` unless asked otherwise
DEFAULT_ROWS = 20
#: contributions of this many rows between two progress events
ROWS_PER_EVENT = 5


# -- permutation importance ---------------------------------------------------------------------
def permutation_importance(
    bundle: Bundle,
    frame_with_target: pd.DataFrame,
    *,
    repeats: int = 5,
    max_rows: int = 2000,
    seed: int = 0,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> pd.DataFrame:
    """Permutation importance of the model's columns on rows with their true answers.

    Columns ``feature, importance, std`` (the user's columns, most important first);
    ``attrs["method"]`` says how it was measured and ``attrs["notes"]`` what was left out.

    Scored with the task's loss: for classification the **increase in log loss**
    (cross-entropy of the true class), chosen over the drop in balanced accuracy on a
    known-answer table (2,000 rows, the label set by ``x1 + x4 > 0``, six other columns;
    measured): both put the two deciding columns first by about 35 spreads over repeats,
    but log loss gave the weaker deciding column 256 times the strongest other column's
    importance against 118 times, and no column below zero against one (a shuffled column
    moves every row's probability, while accuracy only sees the rows whose answer flips:
    columns that sharpen probabilities read as unimportant, and small samples rank
    noisily). For regression the **drop in R²**.

    ``max_rows`` rows at most (a random sample, ``seed``); a wide table or a heavy model is
    cut further so the model answers at most :func:`eval_budget` rows in all (what it
    answers in :data:`SECONDS`): rows first, down to :data:`MIN_ROWS`; beyond that every
    column is screened once on fewer rows and the ones that matter most are measured in
    full. The notes say so.

    Raises:
        DataError: the target column is missing or holds no usable answer.
    """
    from automl_gui.core.trust._encoded import encode, model_predict

    labelled, y, notes = _labelled(bundle, frame_with_target)
    rng = np.random.default_rng(seed)
    if len(labelled) > max_rows:
        labelled, y = _sample(labelled, y, max_rows, rng)
    x = encode(bundle, labelled)
    predict = model_predict(bundle)
    loss_of, measure = _loss(bundle)
    repeats = max(1, int(repeats))
    budget = eval_budget(predict, x, len(x.slots) * repeats * x.n)
    frame, rows_used = _measure(
        predict, x, y, loss_of, repeats, rng, budget, on_event, cancel, notes
    )
    frame.attrs["method"] = (
        f"Permutation importance (Breiman 2001): the {measure} when a column's values are "
        f"shuffled, on {rows_used:,} rows, {repeats} repeat{'s' if repeats > 1 else ''}"
    )
    frame.attrs["notes"] = notes
    return frame


def _measure(
    predict: Any,
    x: Any,
    y: np.ndarray,
    loss_of: Any,
    repeats: int,
    rng: np.random.Generator,
    budget: int,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
    notes: list[str],
) -> tuple[pd.DataFrame, int]:
    """Importance of every column within ``budget`` model rows; (frame, rows measured on).
    ``loss_of(y)`` is the loss over the true answers ``y`` of the rows measured."""
    from automl_gui.core.trust._permutation import permutation_losses

    n, p = x.n, len(x.slots)
    if p * repeats * n > budget:
        fewer = max(min(n, MIN_ROWS), budget // (p * repeats))
        if fewer < n:
            notes.append(
                f"Measured on {fewer:,} of the {n:,} rows: {p:,} columns × {repeats} repeats "
                "on every row would take too long with this model."
            )
            pick = np.sort(rng.choice(n, fewer, replace=False))
            x, y, n = x.take(pick), y[pick], fewer
    if p * repeats * n <= budget * 1.5:
        imp = permutation_losses(
            predict, x, loss_of(y), columns=list(range(p)), repeats=repeats, rng=rng,
            on_event=on_event, cancel=cancel,
        )  # fmt: skip
        return _importance_frame(x.columns, imp.columns, imp.mean, imp.std), n
    # too many columns even on MIN_ROWS rows: screen all once, measure the strongest fully
    screen_rows = max(32, min(n, budget // p))
    pick = np.sort(rng.choice(n, screen_rows, replace=False))
    screen = permutation_losses(
        predict, x.take(pick), loss_of(y[pick]), columns=list(range(p)), repeats=1, rng=rng,
        on_event=on_event, cancel=cancel, message="Screening the columns",
    )  # fmt: skip
    keep = max(1, budget // (repeats * n))
    strongest = [int(j) for j in np.argsort(-screen.mean, kind="stable")[:keep]]
    full = permutation_losses(
        predict, x, loss_of(y), columns=strongest, repeats=repeats, rng=rng,
        on_event=on_event, cancel=cancel,
    )  # fmt: skip
    rest = [j for j in range(p) if j not in set(strongest)]
    notes.append(
        f"{p:,} columns: each was screened once on {screen_rows:,} rows and the {keep:,} "
        f"that mattered most measured in full; the other {len(rest):,} are listed after them "
        "with their screening figure and no spread."
    )
    top = _importance_frame(x.columns, full.columns, full.mean, full.std)
    others = _importance_frame(x.columns, rest, screen.mean[rest], np.full(len(rest), np.nan))
    import pandas as pd

    return pd.concat([top, others], ignore_index=True), n


def eval_budget(predict: Any, x: Any, wanted: int) -> int:
    """Model rows one importance may cost: ``wanted`` when that is at most
    :data:`MIN_BUDGET`, else what the model answers in :data:`SECONDS` (timed on
    :data:`TIMING_ROWS` of ``x``'s rows after tracing), within :data:`MIN_BUDGET` … :data:`EVAL_BUDGET`."""
    import time

    if wanted <= MIN_BUDGET:
        return min(wanted, EVAL_BUDGET)
    predict(x.take(np.array([0])).arrays)  # traced for one row count, then for any
    predict(x.take(np.array([0, 0])).arrays)
    timed = x.take(np.resize(np.arange(x.n), TIMING_ROWS))  # small calls run faster a row
    start = time.perf_counter()
    predict(timed.arrays)
    rate = timed.n / max(time.perf_counter() - start, 1e-3)
    return int(min(EVAL_BUDGET, max(MIN_BUDGET, rate * SECONDS)))


def _importance_frame(
    names: list[str], columns: list[int], mean: np.ndarray, std: np.ndarray
) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "feature": [names[j] for j in columns],
            "importance": np.asarray(mean, dtype=float),
            "std": np.asarray(std, dtype=float),
        }
    )
    return frame.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def _loss(bundle: Bundle) -> tuple[Any, str]:
    """The task's loss (a function of the true answers) and its words."""
    from automl_gui.core.trust._permutation import log_loss, r2_loss

    if _is_regression(bundle):
        return r2_loss, "drop in R²"
    return log_loss, "increase in log loss"


def _is_regression(bundle: Bundle) -> bool:
    return bundle.task == "regression" or not bundle.class_names


def _labelled(bundle: Bundle, frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The rows of ``frame`` with a usable true answer, the answers (class indices or
    values) and notes on the rows left out."""
    import pandas as pd

    target = str(bundle.metadata.get("target") or "")
    if not target or target not in frame.columns:
        raise DataError(
            f"The table has no '{target}' column (the model's target), so its importance "
            "cannot be measured.",
            "Give rows with their true answers in that column.",
        )
    notes: list[str] = []
    column = frame[target]
    if _is_regression(bundle):
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        keep = np.isfinite(values)
        y = values[keep]
        blank = int((~keep).sum())
    else:
        from automl_gui.core.preprocess._target import canonical_labels

        index = {name: i for i, name in enumerate(bundle.class_names or [])}
        labels = canonical_labels(column).values
        codes = np.array([-1 if v is None else index.get(v, -1) for v in labels], dtype=int)
        keep = codes >= 0
        y = codes[keep]
        strange = [str(v) for v in labels[~keep] if v is not None]
        blank = int((~keep).sum()) - len(strange)
        if strange:
            shown = ", ".join(f"'{v}'" for v in sorted(set(strange))[:5])
            notes.append(
                f"{len(strange):,} rows with answers the model never learned ({shown}) were "
                "left out."
            )
    if blank:
        notes.append(f"{blank:,} rows without a usable answer in '{target}' were left out.")
    if int(keep.sum()) < 2:
        raise DataError(
            f"Fewer than 2 rows have a usable answer in '{target}'.",
            "Give rows with their true answers to measure importance.",
        )
    return frame.loc[keep], y, notes


def _sample(
    frame: pd.DataFrame, y: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    pick = np.sort(rng.choice(len(frame), n, replace=False))
    return frame.iloc[pick], y[pick]


# -- per-row contributions ------------------------------------------------------------------------
def row_contributions(
    bundle: Bundle,
    rows: pd.DataFrame,
    background: pd.DataFrame | None = None,
    *,
    permutations: int | None = None,
    seed: int = 0,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> pd.DataFrame:
    """Each column's share of the model's answer on each of ``rows``.

    One row per row of ``rows`` (same index): ``prediction`` (the class, with a binary
    model's chosen threshold, or the value), one ``contribution_<column>`` per column of
    the model, ``base`` and ``output``. Explained: the predicted class's probability
    (classification) or the value (regression); ``base`` is the model's mean answer over the
    background rows used and the contributions add up to ``output − base`` (up to float
    rounding: every background row is used equally often; see ``_shapley``).

    Sampling Shapley values (Štrumbelj & Kononenko 2014), interventional: columns not yet
    added come from ``background`` rows (training-like rows, e.g. the test split; at most
    :data:`MAX_BACKGROUND`, sampled with ``seed``; None: the bundle's sample rows).
    ``permutations``: orders sampled per row, each walked forwards and backwards (default:
    one per background row; fewer on a wide table, within ``_shapley.MAX_POINTS_PER_ROW``
    model rows per row). One row of 20 columns costs 3,800 model rows (~0.2 s).
    ``attrs["method"]`` says what was done.

    Raises:
        DataError: the rows lack the model's columns, or there is no background row.
    """
    import pandas as pd

    from automl_gui.core.trust._encoded import encode, model_predict
    from automl_gui.core.trust._shapley import pairs_for, shapley_values

    if background is None:
        background = pd.DataFrame.from_records(bundle.metadata.get("sample_rows") or [])
    if len(background) == 0:
        raise DataError(
            "There are no background rows to compare the rows with.",
            "Give some rows like the training data (e.g. the test split).",
        )
    rng = np.random.default_rng(seed)
    if len(background) > MAX_BACKGROUND:
        background = background.iloc[np.sort(rng.choice(len(background), MAX_BACKGROUND, False))]
    x = encode(bundle, rows)
    bg = encode(bundle, background).take(rng.permutation(len(background)))
    predict = model_predict(bundle)
    pairs = pairs_for(len(x.slots), bg.n, permutations)
    chosen: dict[str, np.ndarray] = {}

    def target(outputs: np.ndarray) -> np.ndarray:
        index, labels = _decided(bundle, outputs)
        chosen["labels"] = labels
        return index

    values: list[np.ndarray] = []
    bases: list[np.ndarray] = []
    outputs: list[np.ndarray] = []
    labels: list[Any] = []
    used = (pairs, bg.n)
    for start in range(0, x.n, ROWS_PER_EVENT):
        part = x.take(np.arange(start, min(x.n, start + ROWS_PER_EVENT)))
        result = shapley_values(predict, part, bg, target, pairs=pairs, rng=rng, cancel=cancel)
        used = (result.pairs, result.background)
        values.append(result.values)
        bases.append(np.broadcast_to(result.base, (part.n,)))
        outputs.append(result.output)
        labels.extend(chosen["labels"])
        done = start + part.n
        emit(
            on_event,
            Progress("contributions", done / x.n, f"Contributions… {done:,} of {x.n:,} rows"),
        )
    p = len(x.slots)
    frame = pd.DataFrame(
        np.concatenate(values) if values else np.zeros((0, p)),
        index=rows.index,
        columns=[f"contribution_{c}" for c in x.columns],
    )
    frame.insert(0, "prediction", labels)
    frame["base"] = np.concatenate(bases) if bases else np.zeros(0)
    frame["output"] = np.concatenate(outputs) if outputs else np.zeros(0)
    answer = "the value" if _is_regression(bundle) else "the predicted class's probability"
    frame.attrs["method"] = (
        f"Sampling Shapley values (Štrumbelj & Kononenko 2014) of {answer}: {used[0]:,} "
        f"random column orders walked both ways against {used[1]:,} background rows"
    )
    return frame


def _decided(bundle: Bundle, outputs: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """The output column to explain per row and the answer in words: the class predicted
    (a binary model's chosen threshold applied, as predictions are) or the value."""
    import pandas as pd

    if _is_regression(bundle):
        return np.zeros(len(outputs), dtype=int), [float(v) for v in outputs[:, 0]]
    from automl_gui.core.export.bundle import answer_column, frame_with_outputs
    from automl_gui.core.trust.thresholds import apply_threshold

    frame = frame_with_outputs(bundle, pd.DataFrame(index=range(len(outputs))), outputs)
    frame = apply_threshold(frame, bundle.metadata)
    names = list(bundle.class_names or [])
    predicted = [str(v) for v in frame[answer_column(frame, "prediction")]]
    return np.array([names.index(v) for v in predicted], dtype=int), predicted


# -- the table kind's explanation -----------------------------------------------------------------
def explain_table(
    bundle: Bundle,
    frame: pd.DataFrame,
    *,
    rows: int | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Explanation:
    """Importance (when ``frame`` holds the target column) and the contributions of the
    first ``rows`` rows (default :data:`DEFAULT_ROWS`) against a background sampled from
    ``frame``; ``out_dir`` (already checked by the caller) gets ``importance.csv``
    (``feature,importance,std``) and ``contributions.csv`` (``row,prediction,confidence``
    or ``prediction``, then ``contribution_<column>``, ``base``, ``output``).

    Raises:
        DataError: ``frame`` is empty or lacks the model's columns.
    """
    from automl_gui.core.trust.explanation import Explanation

    if len(frame) == 0:
        raise DataError("The table has no rows to explain.", "Give a table with rows.")
    target = str(bundle.metadata.get("target") or "")
    notes: list[str] = []
    methods: list[str] = []
    importance = None
    if target and target in frame.columns:
        importance = permutation_importance(bundle, frame, on_event=on_event, cancel=cancel)
        methods.append(importance.attrs["method"])
        notes.extend(importance.attrs.get("notes", []))
    else:
        notes.append(
            f"The table has no '{target}' column (the true answers), so only each row's "
            "contributions were computed; importance needs the true answers."
        )
    count = min(len(frame), DEFAULT_ROWS if rows is None else max(1, int(rows)))
    explained = frame.iloc[:count]
    rng = np.random.default_rng(0)
    pick = rng.choice(len(frame), min(len(frame), MAX_BACKGROUND), replace=False)
    background = frame.iloc[np.sort(pick)]
    contributions = row_contributions(
        bundle,
        explained,
        background,
        permutations=_pairs_in_time(bundle, background, count),
        on_event=on_event,
        cancel=cancel,
    )
    methods.append(contributions.attrs["method"])
    items = _items(bundle, contributions)
    if count < len(frame):
        notes.append(f"Contributions of the first {count:,} of {len(frame):,} rows.")
    explanation = Explanation(
        method="; ".join(methods), importance=importance, items=items, notes=notes
    )
    if out_dir is not None:
        explanation.files = _write(explanation, out_dir)
    return explanation


def _pairs_in_time(bundle: Bundle, background: pd.DataFrame, rows: int) -> int:
    """Orders to sample per row so ``rows`` rows' contributions take about
    :data:`SECONDS` (:func:`eval_budget`): one per background row on a light model, fewer on
    a heavy one (the Auto network of a 20-column table: ~40 on 2 busy cores)."""
    from automl_gui.core.trust._encoded import encode, model_predict

    x = encode(bundle, background)
    per_pair = 2 * max(1, len(x.slots) - 1)
    wanted = rows * len(background) * per_pair
    budget = eval_budget(model_predict(bundle), x, wanted)
    return int(max(1, min(len(background), budget // (rows * per_pair))))


def _items(bundle: Bundle, contributions: pd.DataFrame) -> pd.DataFrame:
    """``row`` (the table's index), ``prediction``, ``confidence`` (classification: the
    explained probability), the contributions, ``base`` and ``output``."""
    items = contributions.copy()
    if not _is_regression(bundle):
        items.insert(1, "confidence", items["output"].to_numpy())
    items.insert(0, "row", items.index)
    return items.reset_index(drop=True)


def _write(explanation: Explanation, out_dir: str | os.PathLike[str]) -> list[Any]:
    """``importance.csv`` and ``contributions.csv`` in ``out_dir``, each written atomically."""
    from pathlib import Path

    from automl_gui.core.base.files import atomic_write

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    tables = (
        ("importance.csv", explanation.importance),
        ("contributions.csv", explanation.items),
    )
    for name, table in tables:
        if table is None:
            continue
        path = folder / name
        atomic_write(path, lambda tmp, table=table: table.to_csv(tmp, index=False))
        files.append(path)
    return files
