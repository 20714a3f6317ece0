"""Computing a ``slices.SliceReport``'s chance figures: each rate's successes and own
denominator per group, its 95 % Wilson interval columns, the gaps tested between the two
extreme groups, and the four-fifths rule with its test (see ``slices``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from automl_gui.core.trust._slices_stats import (
    FourFifths,
    Gap,
    errors_test,
    is_protected,
    rates_test,
    wilson,
)

#: ROC AUC is judged in a group with at least this many positives and negatives
MIN_AUC_CLASS = 10


def rate_counts(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    pos_code: int | None,
    names: list[str],
    member: list[np.ndarray],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per rate, (successes, denominator) of each group: accuracy and selection rates over
    the group's rows, the false negative rate over its positives."""
    rows = np.array([m.sum() for m in member], dtype=np.float64)
    out = {"accuracy": (np.array([(y_true[m] == y_pred[m]).sum() for m in member], float), rows)}
    if pos_code is not None:
        out["selection_rate"] = (np.array([(y_pred[m] == pos_code).sum() for m in member]), rows)
        pos = [m & (y_true == pos_code) for m in member]
        out["false_negative_rate"] = (
            np.array([(y_pred[p] != pos_code).sum() for p in pos], float),
            np.array([p.sum() for p in pos], float),
        )
    else:
        for k, name in enumerate(names):
            hits = np.array([(y_pred[m] == k).sum() for m in member], float)
            out[f"selection_rate_{name}"] = (hits, rows)
    return out


def own_denominators(
    table: pd.DataFrame,
    judged: np.ndarray,
    denominators: np.ndarray,
    floor: int,
    what: str,
    *,
    metric: str = "false_negative_rate",
) -> list[tuple[str, str, int]]:
    """Blank ``metric`` in the judged groups whose own denominator is under ``floor``; the
    (metric, group, denominator) left unjudged."""
    if metric not in table.columns:
        return []
    few = judged & (np.asarray(denominators) < floor)
    table.loc[few, metric] = np.nan
    return [
        (metric, str(g), int(n))
        for g, n in zip(table["group"][few], denominators[few], strict=True)
    ]


def add_interval(table: pd.DataFrame, metric: str, hits: np.ndarray, total: np.ndarray) -> None:
    """``<metric>_low`` / ``<metric>_high`` (95 % Wilson) right after ``metric``, where the
    metric is judged."""
    ends = np.array([wilson(h, n) for h, n in zip(hits, total, strict=True)]).reshape(-1, 2)
    shown = table[metric].notna().to_numpy()
    ends[~shown] = np.nan
    at = list(table.columns).index(metric) + 1
    table.insert(at, f"{metric}_low", ends[:, 0])
    table.insert(at + 1, f"{metric}_high", ends[:, 1])


def tested_gaps(
    table: pd.DataFrame,
    figures: list[str],
    rates: dict[str, tuple[np.ndarray, np.ndarray]],
    member: list[np.ndarray],
    errors: np.ndarray | None,
    order: list[str],
) -> list[Gap]:
    """Per figure, the spread over the judged groups (two or more with a value), tested: a
    rate by its two extreme groups' counts, a regression figure by their absolute errors."""
    position = {g: i for i, g in enumerate(order)}
    out = []
    for metric in figures:
        values = table[["group", metric]].dropna()
        if len(values) < 2:
            continue
        low = values.loc[values[metric].idxmin()]
        high = values.loc[values[metric].idxmax()]
        i, j = position[str(low["group"])], position[str(high["group"])]
        p_value, test, n_low, n_high = None, "", int(member[i].sum()), int(member[j].sum())
        if metric in rates:
            hits, total = rates[metric]
            p_value, test = rates_test(hits[i], total[i], hits[j], total[j])
            n_low, n_high = int(total[i]), int(total[j])
        elif errors is not None:
            p_value, test = errors_test(errors[member[i]], errors[member[j]])
        out.append(
            Gap(
                metric,
                float(high[metric] - low[metric]),
                str(low["group"]),
                float(low[metric]),
                str(high["group"]),
                float(high[metric]),
                p_value,
                test,
                n_low,
                n_high,
            )
        )
    return out


def four_fifths(
    table: pd.DataFrame,
    positive: str,
    rates: dict[str, tuple[np.ndarray, np.ndarray]],
    by: str,
) -> FourFifths | None:
    """The four-fifths rule on the judged groups' selection rates, the lowest against the
    highest, with the test of their difference."""
    if "selection_rate" not in table.columns:
        return None
    shown = table[["group", "selection_rate"]].dropna()
    if len(shown) < 2:
        return None
    i, j = int(shown["selection_rate"].idxmin()), int(shown["selection_rate"].idxmax())
    top = float(table.at[j, "selection_rate"])
    ratio = float(table.at[i, "selection_rate"]) / top if top > 0 else 1.0
    hits, total = rates["selection_rate"]
    p_value, test = rates_test(hits[i], total[i], hits[j], total[j])
    return FourFifths(
        positive,
        ratio,
        str(table.at[i, "group"]),
        float(table.at[i, "selection_rate"]),
        str(table.at[j, "group"]),
        top,
        p_value,
        test,
        is_protected(by),
    )
