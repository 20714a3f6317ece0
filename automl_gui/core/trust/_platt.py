"""Calibration of a two-class model on its logit: Platt scaling and the reliability of
P(positive).

- :func:`fit_platt`: the slope ``a`` and bias ``b`` minimizing the validation negative log
  likelihood of ``sigmoid(a * z + b)``, ``z = log p1 - log p0`` the network's logit (Platt
  1999, "Probabilistic outputs for support vector machines"; on a network's logit this is
  bias-corrected temperature scaling, Alexandari, Kundaje & Shrikumar 2020, "Maximum
  likelihood with bias-corrected calibration is hard-to-beat at label shift adaptation",
  ICML). Temperature alone (``a``) only sharpens or flattens; the bias ``b`` also corrects a
  shifted prior, e.g. what 'balanced' class weights do to P(minority).
- :func:`platt_probabilities`: that scaling on arrays (what the calibrated model answers:
  ``softmax([a * log p0, a * log p1 + b])`` = ``sigmoid(a * z + b)``).
- :func:`boundary`: the calibrated P(positive) at the trained model's own boundary
  (``z = 0``): ``sigmoid(b)``; deciding positive at ``q >= sigmoid(b)`` answers exactly as the
  network did (``a > 0``), so calibration changes what the probabilities mean, not the
  decisions.
- :func:`reliability_positive`: the standard binary reliability diagram: P(positive)
  binned against the observed rate of the positive class; ECE over those bins.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from automl_gui.core.trust._reliability import binned_reliability

#: probabilities are clipped to [EPS, 1] before the log (Keras' own epsilon)
EPS = 1e-7
#: the slope is bounded like the temperature (1 / 20 … 1 / 0.05), the bias to ±20 logits
SLOPE_BOUNDS = (0.05, 20.0)
BIAS_BOUNDS = (-20.0, 20.0)


def logit(proba: Any, positive: int = 1) -> np.ndarray:
    """``log p_pos - log p_neg`` of (n, 2) probabilities (clipped to [EPS, 1])."""
    p = np.clip(np.asarray(proba, dtype=np.float64).reshape(-1, 2), EPS, 1.0)
    return np.log(p[:, positive]) - np.log(p[:, 1 - positive])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def fit_platt(y_val: Any, proba_val: Any, positive: int = 1) -> tuple[float, float]:
    """``(slope, bias)`` of Platt scaling fitted on the validation answers by L-BFGS-B
    (``scipy.optimize.minimize``, analytic gradient), within :data:`SLOPE_BOUNDS` /
    :data:`BIAS_BOUNDS`. ``(1.0, 0.0)`` for no examples."""
    from scipy.optimize import minimize

    y = (np.asarray(y_val).reshape(-1).astype(np.int64) == positive).astype(np.float64)
    if len(y) == 0:
        return 1.0, 0.0
    z = logit(proba_val, positive)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        s = params[0] * z + params[1]
        # NLL of a logistic model, stable: log(1 + e^s) - y s
        nll = np.logaddexp(0.0, s) - y * s
        residual = _sigmoid(s) - y
        return float(nll.mean()), np.array([(residual * z).mean(), residual.mean()])

    found = minimize(
        loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", bounds=[SLOPE_BOUNDS, BIAS_BOUNDS]
    )
    return float(found.x[0]), float(found.x[1])


def platt_probabilities(proba: Any, slope: float, bias: float, positive: int = 1) -> np.ndarray:
    """(n, 2) probabilities after Platt scaling: ``P(positive) = sigmoid(slope * z + bias)``."""
    p = np.asarray(proba, dtype=np.float64)
    if p.size == 0:
        return p.reshape(0, 2).copy()
    q = _sigmoid(slope * logit(p, positive) + bias)
    out = np.empty((len(q), 2))
    out[:, positive], out[:, 1 - positive] = q, 1.0 - q
    return out


def boundary(bias: float) -> float:
    """The calibrated P(positive) where the trained network's logit is 0: ``sigmoid(bias)``."""
    return 1.0 / (1.0 + math.exp(-float(bias)))


def reliability_positive(y_true: Any, proba: Any, bins: int, positive: int = 1) -> dict[str, Any]:
    """The binary reliability diagram: bins of P(positive) (``((m - 1) / M, m / M]``, 0 in
    the first), each with the mean P(positive) (``confidence``) and the share of rows that
    are positive (``accuracy``, the observed rate), and ECE = ``sum |B_m| / n * |rate -
    mean P|``; the same shape as ``calibration.reliability``."""
    y = (np.asarray(y_true).reshape(-1).astype(np.int64) == positive).astype(np.float64)
    n = len(y)
    p = np.asarray(proba, dtype=np.float64).reshape(n, -1)[:, positive] if n else np.zeros(0)
    return binned_reliability(p, y, bins)
