"""Drift of a table's columns (``core.trust.drift``): the training split's summary and the
comparison of new rows with it, column by column.

A number column is summarized by its decile bin edges and proportions (for PSI) and a
random sample of its values (for the Kolmogorov–Smirnov test); a category column by its 50
most frequent categories' proportions and the rest as "other". Missing values are a bin of
their own in both. Free-text columns are compared by their number of words and date columns
by their day (the model's own date parse), both as numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import AutoMLError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.trust._drift_pack import pack, unpack

REFERENCE_VERSION = 1
#: quantile bins of a number column (deciles)
BINS = 10
#: categories kept by name; the rest is "other"
TOP_CATEGORIES = 50
#: at most this many training values sampled per number column for the KS test...
MAX_SAMPLE = 500
#: ...and at most this many over all number columns (the reference stays small), but
MIN_SAMPLE = 20  # at least this many per column
SAMPLE_BUDGET = 25_000
#: columns summarized (the model's first ones; as the metadata's fitted facts)
MAX_COLUMNS = 1_000
#: characters kept of a category's name
MAX_NAME = 200
#: expected rows under which chi-square bins are merged (Cochran's rule)
MIN_EXPECTED = 5.0
#: proportions floored for PSI (an empty bin would make it infinite)
PSI_FLOOR = 1e-4
SEED = 0
DAY = 86_400.0


# -- the reference ----------------------------------------------------------------------------
def table_reference(train_frame: pd.DataFrame, metadata: dict[str, Any]) -> dict[str, Any]:
    """See :func:`automl_gui.core.trust.drift.table_reference`."""
    from automl_gui.core.preprocess._inputs import InputSchema

    schema = InputSchema.from_dict(metadata["input_schema"])
    present = {str(c) for c in train_frame.columns}
    columns = [c for c in schema.columns if c.name in present][:MAX_COLUMNS]
    numbers = sum(1 for c in columns if _measure(c) != "category")
    per_column = int(min(MAX_SAMPLE, max(MIN_SAMPLE, SAMPLE_BUDGET // max(1, numbers))))
    rng = np.random.default_rng(SEED)
    out = []
    for col in columns:
        series = _column(train_frame, col.name)
        measure = _measure(col)
        try:
            if measure == "category":
                out.append(_category_reference(col.name, series))
            else:
                values = _numbers(series, col, measure)
                out.append(_number_reference(col.name, measure, values, per_column, rng))
        except (AutoMLError, ValueError, TypeError, ArithmeticError):
            continue  # a column that cannot be summarized is not compared
    return {
        "type": "table",
        "version": REFERENCE_VERSION,
        "rows": len(train_frame),
        "columns": out,
    }


def _measure(col: Any) -> str:
    """How a schema column is compared: "category", "value", "words" (free text) or "day"."""
    from automl_gui.core.preprocess._inputs import TEXT

    if col.parse == TEXT:
        return "words"
    if col.parse is not None:
        return "day"
    return "value" if col.dtype == "float32" else "category"


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    series = frame[name]
    if isinstance(series, pd.DataFrame):  # a duplicated column name: the first one
        series = series.iloc[:, 0]
    return series


def _numbers(series: pd.Series, col: Any, measure: str) -> np.ndarray:
    """Float64 values compared for a number, free-text or date column (NaN = missing)."""
    if measure == "words":
        text = series.astype("string")
        counts = text.str.split().str.len().astype("float64")
        return counts.where(text.str.strip().fillna("") != "").to_numpy(na_value=np.nan)
    if measure == "day":
        from automl_gui.core.preprocess._dates import date_seconds

        return np.asarray(date_seconds(series, col.parse, col.name), dtype="float64") / DAY
    from automl_gui.core.preprocess._inputs import numeric_values

    values = np.array(numeric_values(series, col.name), dtype="float64")  # a copy
    values[~np.isfinite(values)] = np.nan  # an infinity is filled like a missing value
    return values


def _round(values: Any, digits: int = 6) -> list[float]:
    return [float(f"{float(v):.{digits}g}") for v in np.asarray(values).reshape(-1)]


def _number_reference(
    name: str, measure: str, values: np.ndarray, per_column: int, rng: Any
) -> dict[str, Any]:
    present = values[~np.isnan(values)]
    missing = 1.0 - len(present) / max(1, len(values))
    edges: list[float] = []
    proportions: list[float] = [1.0]
    sample = np.zeros(0)
    if len(present):
        quantiles = np.quantile(present, np.linspace(0, 1, BINS + 1)[1:-1])
        edges = sorted(set(_round(quantiles)))
        counts = np.bincount(_bins(present, edges), minlength=len(edges) + 1)
        proportions = _round(counts / len(present), 8)
        take = rng.choice(len(present), size=min(per_column, len(present)), replace=False)
        sample = present[np.sort(take)]
    return {
        "name": name,
        "type": "number",
        "measure": measure,
        "count": len(values),
        "missing": round(missing, 8),
        "edges": edges,
        "proportions": proportions,
        "sample": pack(sample, "<f4"),  # base64: small in the indented metadata.json
    }


def _bins(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """The bin of each value: 0 below the first edge, ``len(edges)`` from the last on."""
    return np.searchsorted(np.asarray(edges, dtype="float64"), values, side="right")


def _category_reference(name: str, series: pd.Series) -> dict[str, Any]:
    strings = _strings(series)
    n = len(strings)
    present = strings[strings != ""]
    counts = pd.Series(present, dtype=object).value_counts()
    top = counts.iloc[:TOP_CATEGORIES]
    return {
        "name": name,
        "type": "category",
        "count": n,
        "missing": round((n - len(present)) / max(1, n), 8),
        "categories": [str(c)[:MAX_NAME] for c in top.index],
        "proportions": _round(top.to_numpy() / max(1, n), 8),
        "other": round(float(counts.iloc[TOP_CATEGORIES:].sum()) / max(1, n), 8),
        "distinct": len(counts),
    }


def _strings(series: pd.Series) -> np.ndarray:
    """The categories as the model reads them ("" = missing)."""
    from automl_gui.core.preprocess._inputs import canonical_strings

    return np.asarray(canonical_strings(series), dtype=object)


# -- comparing --------------------------------------------------------------------------------
def compare_table(
    bundle: Any,
    reference: dict[str, Any],
    frame: pd.DataFrame,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """The :class:`~automl_gui.core.trust.drift.DriftReport` of ``frame``'s rows."""
    from automl_gui.core.preprocess._inputs import InputSchema
    from automl_gui.core.trust._drift_report import P_DRIFT, PSI_DRIFT, DriftReport

    schema = {c.name: c for c in InputSchema.from_dict(bundle.metadata["input_schema"]).columns}
    present = {str(c) for c in frame.columns}
    wanted = [c for c in reference.get("columns", []) if c["name"] in present]
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    skipped: list[str] = []
    emit(on_event, Progress("drift", 0.0, "Comparing with the training data…"))
    for i, ref in enumerate(wanted):
        if cancel is not None:
            cancel.raise_if_cancelled()
        col = schema.get(ref["name"])
        series = _column(frame, ref["name"])
        try:
            if ref["type"] == "category":
                vocabulary = _vocabulary(bundle, col)
                rows.append(_compare_category(ref, series, vocabulary))
            elif col is not None:
                rows.append(_compare_number(ref, _numbers(series, col, ref["measure"])))
        except (AutoMLError, ValueError, TypeError, ArithmeticError):
            skipped.append(ref["name"])
        if on_event is not None and (i % 25 == 24 or i + 1 == len(wanted)):
            message = f"Compared {i + 1:,}/{len(wanted):,} columns"
            emit(on_event, Progress("drift", (i + 1) / max(1, len(wanted)), message))
    if skipped:
        notes.append(f"Not compared (unreadable values): {', '.join(skipped[:10])}.")
    table = pd.DataFrame(rows, columns=list(_COLUMNS))
    if len(table):
        table["drifted"] = (table["psi"] >= PSI_DRIFT) & (table["p_value"] < P_DRIFT)
        table = table.sort_values(
            ["drifted", "score"], ascending=[False, False], kind="stable", ignore_index=True
        )
    table["drifted"] = table["drifted"].astype(bool)
    method = (
        f"Per column against the training split ({int(reference.get('rows', 0)):,} rows): "
        "numbers by the two-sample Kolmogorov–Smirnov test and categories by chi-square, "
        f"both with the population stability index (Siddiqi 2006); drift when PSI ≥ "
        f"{PSI_DRIFT:g} and p < {P_DRIFT:g}."
    )
    return DriftReport(
        table=table,
        subject="columns",
        items="rows",
        compared=len(frame),
        method=method,
        notes=notes,
    )


_COLUMNS = (
    "feature",
    "statistic",
    "score",
    "drifted",
    "test",
    "test_statistic",
    "p_value",
    "psi",
    "missing_train",
    "missing_new",
    "unseen",
    "unseen_values",
    "rows",
)


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index Σ (a − e) ln(a / e) of two proportion vectors (Siddiqi
    2006), empty bins floored at :data:`PSI_FLOOR`."""
    e = np.maximum(np.asarray(expected, dtype="float64"), PSI_FLOOR)
    a = np.maximum(np.asarray(actual, dtype="float64"), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def _compare_number(ref: dict[str, Any], values: np.ndarray) -> dict[str, Any]:
    from scipy import stats

    n = len(values)
    present = values[~np.isnan(values)]
    missing_new = 1.0 - len(present) / max(1, n)
    missing_train = float(ref["missing"])
    edges = list(ref["edges"])
    train_bins = np.asarray(ref["proportions"], dtype="float64") * (1.0 - missing_train)
    new_counts = np.bincount(_bins(present, edges), minlength=len(edges) + 1) if len(present) else 0
    new_bins = np.asarray(new_counts, dtype="float64") / max(1, n)
    if np.ndim(new_bins) == 0:
        new_bins = np.zeros(len(edges) + 1)
    index = psi(np.append(train_bins, missing_train), np.append(new_bins, missing_new))
    sample = unpack(ref["sample"])
    statistic, p_ks = math.nan, 1.0
    if len(sample) and len(present):
        result = stats.ks_2samp(sample, present)
        statistic, p_ks = float(result.statistic), float(result.pvalue)
    p_missing = _missing_p(round(missing_new * n), n, missing_train, int(ref.get("count", 0)))
    p = min(1.0, 2.0 * min(p_ks, p_missing))  # two tests: Bonferroni
    return _row(ref, "KS", index, p, statistic, missing_train, missing_new, n)


def _missing_p(missing: int, n: int, share: float, n_train: int) -> float:
    """Whether the new rows' missing count departs from the training share (binomial)."""
    from scipy import stats

    if n == 0:
        return 1.0
    floor = 0.5 / max(1, n_train)  # a share never seen is not impossible
    return float(stats.binomtest(int(missing), n, min(max(share, floor), 1 - floor)).pvalue)


def _compare_category(
    ref: dict[str, Any], series: pd.Series, vocabulary: set[str] | None
) -> dict[str, Any]:
    strings = _strings(series)
    n = len(strings)
    names = list(ref["categories"])
    index = {name: i for i, name in enumerate(names)}
    other, missing = len(names), len(names) + 1
    codes = np.fromiter(
        (missing if s == "" else index.get(s[:MAX_NAME], other) for s in strings), int, n
    )
    observed = np.bincount(codes, minlength=len(names) + 2).astype("float64")
    expected = np.asarray([*ref["proportions"], ref["other"], ref["missing"]], dtype="float64")
    index_psi = psi(expected, observed / max(1, n))
    statistic, p = _chi_square(observed, expected, int(ref.get("count", 0)))
    known = vocabulary
    if known is None and int(ref.get("distinct", 0)) <= len(names):
        known = set(names)  # the training's categories are all listed
    unseen, examples = math.nan, ""
    if known is not None:
        present = pd.Series(strings[strings != ""], dtype=object)
        new = present[~present.isin(known)]
        unseen = len(new)
        examples = ", ".join(str(v)[:40] for v in new.value_counts().index[:3])
    row = _row(ref, "chi-square", index_psi, p, statistic, float(ref["missing"]), 0.0, n)
    row["missing_new"] = float(observed[missing] / max(1, n))
    row["unseen"], row["unseen_values"] = unseen, examples
    return row


def _chi_square(observed: np.ndarray, proportions: np.ndarray, n_train: int) -> tuple[float, float]:
    """Pearson's chi-square goodness of fit of ``observed`` counts to the training
    ``proportions``; bins expecting fewer than :data:`MIN_EXPECTED` rows are merged (smallest
    first), a bin never seen in training expects half a training row's share."""
    from scipy import stats

    n = float(observed.sum())
    if n == 0:
        return math.nan, 1.0
    share = np.maximum(proportions, 0.5 / max(1, n_train))
    expected = share / share.sum() * n
    small = expected < MIN_EXPECTED
    obs, exp = list(observed[~small]), list(expected[~small])
    if small.any():
        pooled_obs, pooled_exp = float(observed[small].sum()), float(expected[small].sum())
        if pooled_exp < MIN_EXPECTED and exp:  # still too few: into the smallest bin
            j = int(np.argmin(exp))
            obs[j] += pooled_obs
            exp[j] += pooled_exp
        else:
            obs.append(pooled_obs)
            exp.append(pooled_exp)
    if len(obs) < 2:
        return math.nan, 1.0
    result = stats.chisquare(np.asarray(obs), np.asarray(exp))
    return float(result.statistic), float(result.pvalue)


def _row(
    ref: dict[str, Any],
    statistic: str,
    index: float,
    p: float,
    test_statistic: float,
    missing_train: float,
    missing_new: float,
    n: int,
) -> dict[str, Any]:
    return {
        "feature": ref["name"],
        "statistic": "PSI",  # score is the population stability index
        "score": index,
        "drifted": False,
        "test": statistic,  # the test whose statistic and p value follow
        "test_statistic": test_statistic,
        "p_value": p,
        "psi": index,
        "missing_train": missing_train,
        "missing_new": missing_new,
        "unseen": math.nan,
        "unseen_values": "",
        "rows": n,
    }


def _vocabulary(bundle: Any, col: Any) -> set[str] | None:
    """The categories the model knows for ``col`` (its lookup layer), or None."""
    model = getattr(bundle, "model", None)
    if col is None or model is None or not hasattr(model, "get_layer"):
        return None
    from automl_gui.core.preprocess._impute import known_categories

    try:
        return set(known_categories(model.get_layer(f"lookup_{col.input_name}")))
    except (ValueError, AttributeError):  # an older model without the layer
        return None
