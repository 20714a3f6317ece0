"""Whether a classifier's probabilities mean what they say, and temperature scaling.

- :func:`reliability`: the reliability diagram's bins and the expected calibration error
  (ECE) over the top-class confidence, 15 equal-width bins, as defined by Guo, Pleiss, Sun &
  Weinberger 2017, "On Calibration of Modern Neural Networks" (ICML), eq. 3:
  ``ECE = sum_m |B_m| / n * |acc(B_m) - conf(B_m)|``, bin ``m`` holding the confidences in
  ``((m - 1) / M, m / M]``. Pure NumPy (the window draws it too).
- :func:`fit_temperature`: the one scalar ``T`` that minimizes the validation negative log
  likelihood of ``softmax(log(p) / T)`` (Guo et al. 2017, section 4.2: temperature scaling;
  the argmax, hence accuracy, is unchanged). The models end in a softmax, so ``log(p)`` is the
  logits up to a per-row constant, which the softmax ignores.
- :func:`scale_probabilities`: that scaling on arrays; :func:`with_temperature`: the same
  inside a Keras model (built-in layers and ``keras.ops`` only, a flat functional graph that
  reloads in plain Keras safe mode and converts to TFLite and ONNX);
  :func:`without_temperature`: the network's own output again.
- :func:`calibrate`: the training jobs' rule (fit on validation, keep it when it lowers
  validation ECE by at least :data:`MIN_GAIN`) and ``report["calibration"]``. A two-class
  model is measured on P(positive) (the standard binary reliability diagram, ``"on":
  "positive"``) and calibrated by Platt scaling on its logit (slope and bias, ``_platt``):
  the bias corrects the prior that 'balanced' class weights shift, which a temperature
  cannot. Its decisions are kept: the calibrated probability at the trained boundary is
  stored as the model's threshold (``Calibration.boundary``, ``thresholds.BOUNDARY``).
  More classes: top-label reliability and temperature scaling (``"on": "top"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from automl_gui.core.trust._reliability import binned_reliability

METHOD = "Temperature scaling (Guo et al. 2017)"
PLATT_METHOD = (
    "Platt scaling on the logit: slope and bias, i.e. bias-corrected temperature scaling "
    "(Platt 1999; Alexandari et al. 2020)"
)
BINS = 15
#: probabilities are clipped to [EPS, 1] before the log (Keras' own epsilon)
EPS = 1e-7
#: the temperatures searched (log T is bounded): a softer or sharper model beyond these is
#: a broken one, not a miscalibrated one
T_BOUNDS = (0.05, 20.0)
#: fewer validation examples than this fit no temperature (one parameter fits on a few dozen,
#: but 15 bins of a handful each say nothing about calibration; 30 is also the subgroups'
#: smallest judged group, and a 300-image folder's 15 % validation split holds 45)
MIN_VALIDATION = 30
#: the validation ECE must drop by at least this much for the scaled model to be kept
MIN_GAIN = 0.005
#: a test ECE that moved less than this did not really change (said on the model card)
SAME_ECE = 0.01
#: an ECE above this is named among the model card's known limits
HIGH_ECE = 0.1
#: the layers :func:`with_temperature` adds (``without_temperature`` finds the first)
UNCALIBRATED_LAYER = "uncalibrated"
SCALE_LAYER = "temperature_scale"
OUTPUT_LAYER = "calibrated"


def reliability(y_true: Any, proba: Any, bins: int = BINS) -> dict[str, Any]:
    """The reliability diagram of ``proba`` ((n, k) class probabilities) against ``y_true``
    (n class indices): ``{"ece", "bins": [{"low", "high", "confidence", "accuracy",
    "count"}, ...], "count", "accuracy", "confidence"}``. Every bin is listed; an empty one
    has ``confidence`` and ``accuracy`` None. ECE is 0.0 for no examples."""
    y = np.asarray(y_true).reshape(-1).astype(np.int64)
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim == 1:
        p = p.reshape(len(y), -1)
    n = len(y)
    conf = p.max(axis=1) if n else np.zeros(0)
    correct = (p.argmax(axis=1) == y).astype(np.float64) if n else np.zeros(0)
    return binned_reliability(conf, correct, bins)


def _log_probabilities(proba: Any) -> np.ndarray:
    return np.log(np.clip(np.asarray(proba, dtype=np.float64), EPS, 1.0))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def scale_probabilities(proba: Any, temperature: float) -> np.ndarray:
    """``softmax(log(clip(proba, EPS, 1)) / T)`` row by row (float64): what
    :func:`with_temperature`'s model answers."""
    p = np.asarray(proba, dtype=np.float64)
    if p.size == 0:
        return p.copy()
    return _softmax(_log_probabilities(p) / float(temperature))


def _nll(log_p: np.ndarray, y: np.ndarray, temperature: float) -> float:
    z = log_p / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z).sum(axis=1))
    return float(np.mean(log_norm - z[np.arange(len(y)), y]))


def fit_temperature(y_val: Any, proba_val: Any) -> float:
    """The temperature minimizing the negative log likelihood of the scaled validation
    probabilities (Guo et al. 2017), searched over ``log T`` within :data:`T_BOUNDS` by
    ``scipy.optimize.minimize_scalar`` (bounded). 1.0 for no examples."""
    from scipy.optimize import minimize_scalar

    y = np.asarray(y_val).reshape(-1).astype(np.int64)
    if len(y) == 0:
        return 1.0
    log_p = _log_probabilities(proba_val).reshape(len(y), -1)
    low, high = (math.log(t) for t in T_BOUNDS)
    found = minimize_scalar(
        lambda log_t: _nll(log_p, y, math.exp(log_t)),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(math.exp(found.x))


def with_temperature(model: Any, temperature: float, bias: float = 0.0) -> Any:
    """``model`` (a functional Keras model ending in class probabilities) answering
    ``softmax(log(clip(p)) / T)`` instead: the same inputs (and input structure), its own
    layers and weights shared, then ``Identity`` (named :data:`UNCALIBRATED_LAYER`, the
    network's own output), clip and log (``keras.ops``), ``Rescaling(1 / T)`` and
    ``Softmax`` in float32. A model already scaled is scaled anew from its own output.
    ``bias`` (two classes: Platt scaling) is added to the second class's scaled log
    probability (``Rescaling``'s offset ``[0, bias]``): P(second) = sigmoid(z / T + bias)."""
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    ops = keras.ops
    base = without_temperature(model)
    taken = {op.name for op in getattr(base, "operations", ())}
    out = keras.layers.Identity(name=UNCALIBRATED_LAYER, dtype="float32")(base.outputs[0])
    x = _named(ops.cast(out, "float32"), "cast", taken)
    x = _named(ops.clip(x, EPS, 1.0), "clip", taken)
    x = _named(ops.log(x), "log", taken)
    offset: Any = [0.0, float(bias)] if bias else 0.0
    x = keras.layers.Rescaling(
        1.0 / float(temperature), offset=offset, name=SCALE_LAYER, dtype="float32"
    )(x)
    y = keras.layers.Softmax(name=OUTPUT_LAYER, dtype="float32")(x)
    return keras.Model(base.input, y, name=base.name)


def _named(tensor: Any, what: str, taken: set[str]) -> Any:
    """``tensor`` with the ``keras.ops`` node that made it renamed ``temperature_<what>``
    (numbered when taken): Keras numbers new ops from 0 in each process, so in a model
    loaded from a file an op made now could take the name of one already in its graph
    ("cast" used twice), which ``keras.Model`` refuses."""
    operation = tensor._keras_history.operation
    name, n = f"temperature_{what}", 2
    while name in taken:
        name, n = f"temperature_{what}_{n}", n + 1
    operation.name = name
    taken.add(name)
    return tensor


def without_temperature(model: Any) -> Any:
    """The network of a :func:`with_temperature` model without the scaling (its own
    probabilities, sharing its layers and weights); ``model`` itself when it has none. Train
    on this one (continued training), never on the scaled model."""
    from automl_gui.core.base import lazy

    names = {layer.name for layer in getattr(model, "layers", ())}
    if UNCALIBRATED_LAYER not in names or SCALE_LAYER not in names:
        return model
    keras = lazy.keras()
    inner = model.get_layer(UNCALIBRATED_LAYER).input
    return keras.Model(model.input, inner, name=model.name)


def temperature_of(model: Any) -> float | None:
    """The temperature built into ``model`` by :func:`with_temperature`, else None."""
    for layer in getattr(model, "layers", ()):
        if layer.name == SCALE_LAYER:
            return float(1.0 / float(layer.scale))
    return None


def bias_of(model: Any) -> float:
    """The Platt bias built into ``model`` by :func:`with_temperature` (0.0 without one)."""
    for layer in getattr(model, "layers", ()):
        if layer.name == SCALE_LAYER:
            offset = np.asarray(layer.offset, dtype=np.float64).reshape(-1)
            return float(offset[-1]) if offset.size == 2 else 0.0
    return 0.0


@dataclass
class Calibration:
    """What :func:`calibrate` decided: ``temperature`` (None: not applied) and ``bias``
    (Platt scaling of a two-class model, else 0), the report entry (``report
    ["calibration"]``), the kept model's test (and validation) probabilities, and a log
    line."""

    temperature: float | None
    report: dict[str, Any]
    test_proba: np.ndarray
    message: str
    bias: float = 0.0
    validation_proba: np.ndarray | None = None
    validation_y: np.ndarray | None = None

    @property
    def applied(self) -> bool:
        return self.temperature is not None

    @property
    def boundary(self) -> float | None:
        """The calibrated P(second class) that reproduces the trained model's decisions
        (``sigmoid(bias)``) when a Platt bias moved it off 0.5; else None."""
        from automl_gui.core.trust._platt import boundary

        if not self.applied or not self.bias:
            return None
        return boundary(self.bias)

    def decisions(self, proba: Any) -> np.ndarray:
        """The class indices the kept model answers for its probabilities ``proba``: the
        second class at P >= :attr:`boundary`, else the most probable class."""
        p = np.asarray(proba, dtype=np.float64)
        if self.boundary is None or p.ndim != 2 or p.shape[1] != 2:
            return p.argmax(axis=1) if p.size else np.zeros(0, np.int64)
        return (p[:, 1] >= self.boundary).astype(np.int64)


def _measure(y: Any, proba: Any, binary: bool) -> dict[str, Any]:
    """Reliability on P(second class) for two classes, else on the top-class confidence."""
    from automl_gui.core.trust._platt import reliability_positive

    return reliability_positive(y, proba, BINS) if binary else reliability(y, proba)


def _fit(y_val: Any, proba_val: Any, binary: bool) -> tuple[float, float, np.ndarray]:
    """``(temperature, bias, scaled validation probabilities)``: Platt scaling for two
    classes (temperature = 1 / slope), temperature scaling otherwise (bias 0)."""
    from automl_gui.core.trust._platt import fit_platt, platt_probabilities

    if binary:
        slope, bias = fit_platt(y_val, proba_val)
        return 1.0 / slope, bias, platt_probabilities(proba_val, slope, bias)
    temperature = fit_temperature(y_val, proba_val)
    return temperature, 0.0, scale_probabilities(proba_val, temperature)


def _scaled(proba: Any, temperature: float, bias: float, binary: bool) -> np.ndarray:
    from automl_gui.core.trust._platt import platt_probabilities

    if binary:
        return platt_probabilities(proba, 1.0 / temperature, bias)
    return scale_probabilities(proba, temperature)


def calibrate(
    y_val: Any,
    proba_val: Any,
    y_test: Any,
    proba_test: Any,
    *,
    class_names: Any = None,
    weighted: bool | None = None,
) -> Calibration:
    """The training jobs' rule: fit on the validation answers and keep the scaling when it
    lowers the validation ECE by at least :data:`MIN_GAIN` (with fewer than
    :data:`MIN_VALIDATION` validation examples none is fitted). Two classes: Platt scaling,
    ECE over P(second class) (``"on": "positive"``, ``"positive"`` its name); more:
    temperature scaling, ECE over the top class (``"on": "top"``). The test figures are
    reported before and after; ``test_proba`` is what the kept model answers on the test
    examples (scaled or as given). ``weighted``: whether training weighted the classes
    (``"class_weighted"`` in the entry; None: not known)."""
    y_val = np.asarray(y_val).reshape(-1)
    test = np.asarray(proba_test, dtype=np.float64)
    val = np.asarray(proba_val, dtype=np.float64)
    binary = test.ndim == 2 and test.shape[1] == 2
    names = [str(n) for n in class_names] if class_names is not None else []
    before_test = _measure(y_test, test, binary)
    before_val = _measure(y_val, val, binary)
    entry: dict[str, Any] = {
        "method": PLATT_METHOD if binary else METHOD,
        "on": "positive" if binary else "top",
        **({"positive": names[1] if len(names) == 2 else None} if binary else {}),
        "class_weighted": weighted,
        "bins": BINS,
        "ece": before_test["ece"],
        "ece_before": before_test["ece"],
        "validation_ece_before": before_val["ece"] if len(y_val) else None,
        "validation_ece_after": None,
        "temperature": None,
        "fitted_temperature": None,
        "bias": None,
        "applied": False,
        "reason": "",
        "validation_count": int(len(y_val)),
        "test_count": int(before_test["count"]),
        "reliability": before_test["bins"],
        "reliability_before": before_test["bins"],
    }
    what = "a scaling" if binary else "a temperature"
    if len(y_val) < MIN_VALIDATION:
        entry["reason"] = (
            f"too few validation examples to fit {what} on ({len(y_val):,}, at least "
            f"{MIN_VALIDATION} needed)"
            if len(y_val)
            else f"no validation examples to fit {what} on"
        )
        return Calibration(None, entry, test, _message(entry), validation_proba=val)
    temperature, bias, val_scaled = _fit(y_val, val, binary)
    after_val = _measure(y_val, val_scaled, binary)
    entry.update(fitted_temperature=temperature, validation_ece_after=after_val["ece"])
    fitted = (
        f"Platt scaling (slope {1 / temperature:.2f}, bias {bias:+.2f})"
        if binary
        else (f"temperature {temperature:.2f}")
    )
    if before_val["ece"] - after_val["ece"] < MIN_GAIN:
        entry["reason"] = (
            f"{fitted} did not lower the validation ECE by at least {MIN_GAIN} "
            f"({before_val['ece']:.3f} → {after_val['ece']:.3f}): the model's "
            "probabilities are kept as they are"
        )
        return Calibration(None, entry, test, _message(entry), validation_proba=val)
    scaled = _scaled(test, temperature, bias, binary)
    after_test = _measure(y_test, scaled, binary)
    entry.update(
        temperature=temperature,
        bias=bias if binary else None,
        applied=True,
        ece=after_test["ece"],
        reliability=after_test["bins"],
        reason=(
            f"{fitted} lowered the validation ECE from {before_val['ece']:.3f} to "
            f"{after_val['ece']:.3f}"
        ),
    )
    cal = Calibration(temperature, entry, scaled, "", bias, val_scaled)
    if cal.boundary is not None:
        entry["boundary"] = cal.boundary
    cal.message = _message(entry)
    return cal


def calibrated_run_model(
    model: Any,
    y_val: Any,
    proba_val: Any,
    y_test: Any,
    proba_test: Any,
    on_event: Any = None,
    *,
    class_names: Any = None,
    weighted: bool | None = None,
) -> tuple[Any, Calibration]:
    """The training jobs' step (tables and every file kind): :func:`calibrate` on the
    validation and test answers of ``model``, the log line, and the model to keep
    (``with_temperature`` when applied, else ``model``). Store ``cal.boundary`` as the
    model's threshold with :func:`keep_decisions`."""
    from automl_gui.core.base.events import Log, emit

    cal = calibrate(
        y_val, proba_val, y_test, proba_test, class_names=class_names, weighted=weighted
    )
    cal.validation_y = np.asarray(y_val).reshape(-1)
    emit(on_event, Log(cal.message))
    if cal.temperature is not None:
        model = with_temperature(model, cal.temperature, cal.bias)
    return model, cal


def keep_decisions(metadata: dict[str, Any], cal: Calibration) -> None:
    """Store in ``metadata`` the threshold that keeps the trained model's decisions after a
    Platt bias moved its boundary (``thresholds.set_threshold(..., chosen=BOUNDARY,
    source="calibration")``); nothing when the boundary did not move."""
    from automl_gui.core.trust.thresholds import BOUNDARY, set_threshold

    names = [str(n) for n in metadata.get("class_names") or []]
    if cal.boundary is None or len(names) != 2:
        return
    set_threshold(metadata, cal.boundary, BOUNDARY, positive=names[1], source="calibration")


def metadata_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """What a model's metadata says of its calibration (``metadata["calibration"]``, copied
    into every export's metadata.json): method, temperature (None: not scaled), bias (Platt
    scaling), applied, what ECE is measured on, the test ECE before and after, and why."""
    keys = (
        "method",
        "temperature",
        "bias",
        "applied",
        "on",
        "positive",
        "class_weighted",
        "ece",
        "ece_before",
        "reason",
    )
    return {k: entry.get(k) for k in keys if k in entry}


def _message(entry: dict[str, Any]) -> str:
    """The training log's line ("Calibration of P(yes): Platt scaling (slope 0.95, bias
    -1.20) lowered validation ECE 0.171 → 0.031; test ECE 0.164 → 0.035.")."""
    on = (
        f" of P({entry['positive']})"
        if entry.get("on") == "positive" and entry.get("positive")
        else ""
    )
    weighted = (
        " Classes were weighted in training, which shifts the probabilities towards the "
        "rarer class; the bias corrects that."
        if entry.get("class_weighted") and entry.get("on") == "positive"
        else ""
    )
    if entry["applied"]:
        how = entry["reason"].split(" lowered", 1)[0]
        return (
            f"Calibration{on}: {how} lowered validation ECE "
            f"{entry['validation_ece_before']:.3f} → {entry['validation_ece_after']:.3f}; "
            f"test ECE {entry['ece_before']:.3f} → {entry['ece']:.3f}.{weighted}"
        )
    return f"Calibration{on}: not applied, {entry['reason']}; test ECE {entry['ece']:.3f}."


def no_real_change(entry: dict[str, Any] | None) -> bool:
    """Whether an applied scaling left the test ECE within :data:`SAME_ECE` of before."""
    entry = entry or {}
    before, after = entry.get("ece_before"), entry.get("ece")
    if not entry.get("applied") or before is None or after is None:
        return False
    return abs(float(after) - float(before)) < SAME_ECE


def not_refitted(entry: dict[str, Any] | None, first_temperature: float | None) -> dict[str, Any]:
    """``report["calibration"]`` of a refit on all data: no validation rows were left to fit
    a temperature on, and the first model's does not carry over to a network trained anew."""
    entry = dict(entry or {})
    carried = (
        f"; the first model's temperature ({first_temperature:.2f}) does not carry over to a "
        "network trained anew"
        if first_temperature
        else ""
    )
    entry.update(
        applied=False,
        temperature=None,
        reason=(
            "refit on all data: the validation examples were trained on, so no temperature "
            f"was fitted{carried}"
        ),
    )
    return entry
