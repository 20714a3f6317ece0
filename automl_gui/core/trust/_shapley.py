"""Sampling Shapley values of a model's answer over the user's columns.

Štrumbelj & Kononenko (2014), "Explaining prediction models and individual predictions with
feature contributions" (Knowledge and Information Systems 41): a column's contribution to
one answer is its mean marginal effect over random orders of the columns, the columns not
yet added taken from a background row (interventional: the model is asked about mixed rows,
not about a conditional distribution). Here each sampled order is *walked* whole (Castro,
Gómez & Tejada 2009): from the background row, the explained row's columns are put in one
at a time in that order, so one walk of ``p + 1`` rows gives every column one marginal
effect, and the effects of a walk add up to ``f(x) − f(z)`` exactly. Each order is walked
forwards and backwards (antithetic sampling: the reversed order's effects are negatively
correlated with the first's, which lowers the variance), and the background rows are used
equally often, so the contributions add up to the answer minus ``base`` (the model's mean
answer over the background rows used) up to float rounding, whatever the sampling.

The walks' first and last rows are the background row and the explained row, whose answers
are computed once; only the ``p − 1`` rows between are new, all rows' walks mixed and sent
to the model in few calls (``_encoded.predict_batches``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from automl_gui.core.trust._encoded import Encoded, Predict, chunk_rows, mix, predict_batches

if TYPE_CHECKING:
    from automl_gui.core.base.events import CancelToken

#: new model rows one explained row may cost (walks are cut to fit: wide tables)
MAX_POINTS_PER_ROW = 20_000


@dataclass
class Contributions:
    """``values`` (rows, columns): each column's share of the answer; ``base`` (rows,): the
    mean answer over the background rows used; ``output`` (rows,): the answer explained;
    ``pairs``: orders sampled per row (each walked both ways); ``background``: rows used."""

    values: np.ndarray
    base: np.ndarray
    output: np.ndarray
    pairs: int
    background: int


def pairs_for(columns: int, background: int, pairs: int | None) -> int:
    """Orders to sample per row: ``pairs`` when given, else one per background row; at most
    what :data:`MAX_POINTS_PER_ROW` allows (at least one)."""
    inner = max(1, 2 * (columns - 1))
    most = max(1, MAX_POINTS_PER_ROW // inner)
    wanted = pairs if pairs is not None else background
    return int(max(1, min(wanted, most)))


def shapley_values(
    predict: Predict,
    rows: Encoded,
    background: Encoded,
    target: np.ndarray | Callable[[np.ndarray], np.ndarray],
    *,
    pairs: int,
    rng: np.random.Generator,
    cancel: CancelToken | None = None,
) -> Contributions:
    """Contributions of each column (``rows.slots``) to ``predict``'s output column
    ``target[i]`` for each row ``i`` of ``rows`` (``target`` may be a function of the
    model's outputs on ``rows``: the predicted class).

    ``pairs`` orders are sampled per row, each walked both ways; fewer than
    ``background.n`` uses the first ``pairs`` background rows (shuffle them first), more is
    rounded up to a multiple of ``background.n`` so every background row weighs the same.
    """
    if background.n == 0:
        raise ValueError("no background rows")
    p = len(rows.slots)
    n_bg = min(background.n, pairs)
    pairs = -(-pairs // n_bg) * n_bg
    bg = background.take(np.arange(n_bg))
    ends = predict_batches(predict, [bg.arrays, rows.arrays], cancel=cancel)
    f_bg, f_x = ends
    target = np.asarray(target(f_x) if callable(target) else target, dtype=int)
    r = rows.n
    walk_bg = np.tile(np.arange(pairs) % n_bg, 2)  # the pair's background row, both walks
    orders = [_orders(p, pairs, rng) for _ in range(r)]
    inner = _inner_points(predict, rows, bg, orders, walk_bg, cancel)
    values = np.zeros((r, p))
    base = f_bg[:, target].mean(axis=0) if r else np.zeros(0)
    output = f_x[np.arange(r), target] if r else np.zeros(0)
    for i in range(r):
        walks = len(walk_bg)
        g = np.empty((walks, p + 1))
        g[:, 0] = f_bg[walk_bg, target[i]]
        g[:, p] = output[i]
        if p > 1:
            g[:, 1:p] = inner[i][:, target[i]].reshape(walks, p - 1)
        effects = np.empty((walks, p))
        np.put_along_axis(effects, orders[i], np.diff(g, axis=1), axis=1)
        values[i] = effects.mean(axis=0)
    return Contributions(values, np.atleast_1d(base), output, pairs, n_bg)


def _orders(p: int, pairs: int, rng: np.random.Generator) -> np.ndarray:
    """``2 × pairs`` orders of the ``p`` columns: random ones, then each reversed."""
    forward = rng.permuted(np.tile(np.arange(p), (pairs, 1)), axis=1)
    return np.concatenate([forward, forward[:, ::-1]])


def _inner_points(
    predict: Predict,
    rows: Encoded,
    bg: Encoded,
    orders: list[np.ndarray],
    walk_bg: np.ndarray,
    cancel: CancelToken | None,
) -> list[np.ndarray]:
    """The model's answers on every walk's inner rows (steps ``1 … p − 1``), per explained
    row as ``(walks × (p − 1), outputs)`` in walk-major order."""
    p = len(rows.slots)
    if p <= 1 or rows.n == 0:
        return [np.zeros((0, 1)) for _ in range(rows.n)]
    steps = np.arange(1, p)
    per_call = chunk_rows(rows.arrays)
    walks_per_piece = max(1, per_call // (p - 1))
    pieces: list[int] = []  # the explained row of each piece, in order

    def batches() -> Iterator[dict[str, np.ndarray]]:
        for i, order in enumerate(orders):
            rank = np.argsort(order, axis=1)  # rank[w, j]: step at which column j goes in
            x = {k: v[i : i + 1] for k, v in rows.arrays.items()}
            for start in range(0, len(order), walks_per_piece):
                w = slice(start, start + walks_per_piece)
                n_walks = len(rank[w])
                # step k of a walk holds the columns ranked below k from the explained row
                from_bg = rank[w][:, None, :] >= steps[None, :, None]
                take = from_bg.reshape(n_walks * (p - 1), p)
                idx = np.repeat(walk_bg[w], p - 1)
                own = {k: np.repeat(v, len(idx), axis=0) for k, v in x.items()}
                pieces.append(i)
                yield mix(own, bg.take(idx).arrays, take, rows.slots)

    outputs = predict_batches(predict, batches(), cancel=cancel)
    per_row: list[list[np.ndarray]] = [[] for _ in range(rows.n)]
    for i, out in zip(pieces, outputs, strict=True):
        per_row[i].append(out)
    return [np.concatenate(parts) for parts in per_row]
