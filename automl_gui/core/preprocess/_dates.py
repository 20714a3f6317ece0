"""Date/time columns of a table: one parse to Unix seconds, and calendar features computed
inside the model with ``keras.ops``.

A date column reaches the model as float64 Unix seconds (UTC; NaN = missing or not a date),
converted by ``_inputs.frame_to_inputs`` with the parse detected on the training split and
stored in the input schema (``InputColumn.parse``):

- ``"datetime"``: a pandas datetime column (time-zone aware ones are converted to UTC);
- ``"unix_s"`` / ``"unix_ms"``: numbers counting seconds / milliseconds since 1970-01-01 UTC;
- ``"format:<fmt>"``: text parsed by ``pandas.to_datetime(format=<fmt>, utc=True)``, where
  ``<fmt>`` is ``ISO8601``, a ``strftime`` pattern guessed from the training values
  (``%d/%m/%Y``...), or ``mixed`` (each value parsed on its own) when no single pattern fits.

Inside the model the missing values are filled with the training median, and the calendar
features are computed from the seconds by :func:`calendar_features` (plain ``keras.ops``
nodes, so a saved ``.keras`` loads in safe mode without this app): year, month, day of week,
hour (only when the training times vary within a day), sine/cosine of month, day of week and
hour, and days elapsed since the earliest training date. The same function runs on numpy
arrays (:data:`NUMPY_OPS`) to fit the scaling and to encode rows for TFLite/ONNX.

The civil date is computed from the day number with Howard Hinnant's ``civil_from_days``
("chrono-Compatible Low-Level Date Algorithms", https://howardhinnant.github.io/date_algorithms.html),
valid for the proleptic Gregorian calendar over any range of days.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import DataError

DATETIME = "datetime"
UNIX_SECONDS = "unix_s"
UNIX_MILLISECONDS = "unix_ms"
FORMAT_PREFIX = "format:"
#: numbers at least this large (in absolute value) count milliseconds, not seconds:
#: 1e11 seconds is the year 5138, 1e11 milliseconds 1973
MILLISECONDS_FROM = 1e11
DAY = 86_400.0
#: a numeric column is read as Unix time when named like this and its values lie in
#: 1973..2286 as seconds or milliseconds (``core.data.profile`` uses the same rule)
UNIX_NAME = re.compile(r"(time|date|_at$|^at_|timestamp|_ts$|^ts$)", re.IGNORECASE)
UNIX_RANGE_S = (1e8, 1e10)
UNIX_RANGE_MS = (1e11, 1e13)
#: where the layer holding a date column's unscaled features is named (``datefeat_<input>``)
FEATURES_PREFIX = "datefeat_"
_PARSED_SHARE = 0.9  # a text format is chosen when it parses this share of training values
_PROBE = 2000  # distinct training values tried per candidate format


# -- raw values -> Unix seconds ---------------------------------------------------------------
def looks_like_unix_time(name: str, values: np.ndarray) -> bool:
    """True when a numeric column named like a time (``created_at``, ``timestamp``...) holds
    Unix seconds or milliseconds of 1973..2286."""
    if not UNIX_NAME.search(str(name)):
        return False
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return False
    lo, hi = float(np.min(finite)), float(np.max(finite))
    return any(a <= lo and hi <= b for a, b in (UNIX_RANGE_S, UNIX_RANGE_MS))


def detect_parse(series: pd.Series) -> str:
    """How to read this training column as dates (see the module docstring)."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return DATETIME
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return _unix_unit(series.to_numpy(dtype="float64", na_value=np.nan))
    text = _present_text(series)
    if text.empty:
        return FORMAT_PREFIX + "ISO8601"
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().all():
        return _unix_unit(numbers.to_numpy(dtype="float64"))
    values = pd.Series(pd.unique(text.to_numpy(dtype=object))[:_PROBE], dtype=object)
    candidates = ["ISO8601"]
    for value in values.head(20):
        for dayfirst in (False, True):
            guessed = _guess(str(value), dayfirst)
            if guessed and guessed not in candidates:
                candidates.append(guessed)
    candidates.append("mixed")
    best, best_share = candidates[-1], -1.0
    for fmt in candidates:
        share = float(_to_datetime(values, fmt).notna().mean())
        if share > best_share + 1e-9:
            best, best_share = fmt, share
        if share >= 0.999:
            break
    if best_share < _PARSED_SHARE and best != "mixed":
        best = "mixed" if float(_to_datetime(values, "mixed").notna().mean()) > best_share else best
    return FORMAT_PREFIX + best


def date_seconds(series: pd.Series, parse: str, column: str) -> np.ndarray:
    """A column's values as float64 Unix seconds (UTC), NaN where missing or not a date.

    A datetime column is used as such whatever ``parse`` says; numbers follow a Unix
    ``parse``; text is parsed with the stored format.

    Raises:
        DataError: ``parse`` is not one this app writes (a damaged model file).
    """
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return _stamps_to_seconds(series)
    if parse in (UNIX_SECONDS, UNIX_MILLISECONDS):
        if pd.api.types.is_bool_dtype(dtype):
            values = np.full(len(series), np.nan)
        elif pd.api.types.is_numeric_dtype(dtype):
            values = series.to_numpy(dtype="float64", na_value=np.nan)
        else:
            values = pd.to_numeric(series, errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan
            )
        values = np.where(np.isfinite(values), values, np.nan)
        return values / 1000.0 if parse == UNIX_MILLISECONDS else values
    if not parse.startswith(FORMAT_PREFIX):
        raise DataError(
            f"Column '{column}': unknown date parse '{parse}' in the model's input schema.",
            "Train the model again with this version of the app.",
        )
    fmt = parse[len(FORMAT_PREFIX) :]
    strings = pd.Series(
        [None if _missing(v) else str(v).strip() for v in series.tolist()], dtype=object
    )
    return _stamps_to_seconds(_to_datetime(strings, fmt))


def _unix_unit(values: np.ndarray) -> str:
    finite = np.abs(values[np.isfinite(values)])
    if finite.size and float(np.median(finite)) >= MILLISECONDS_FROM:
        return UNIX_MILLISECONDS
    return UNIX_SECONDS


def _present_text(series: pd.Series) -> pd.Series:
    text = pd.Series([str(v).strip() for v in series.tolist() if not _missing(v)], dtype=object)
    return text[text != ""]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _guess(value: str, dayfirst: bool) -> str | None:
    from pandas.tseries.api import guess_datetime_format

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return guess_datetime_format(value, dayfirst=dayfirst)
        except (ValueError, TypeError):
            return None


def _to_datetime(values: pd.Series, fmt: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.to_datetime(values, format=fmt, errors="coerce", utc=True)
        except (ValueError, TypeError, OverflowError):
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")


def _stamps_to_seconds(stamps: pd.Series) -> np.ndarray:
    stamps = pd.Series(stamps)
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    raw = stamps.to_numpy(dtype="datetime64[ms]")
    nat = np.isnat(raw)
    seconds = raw.astype(np.int64).astype(np.float64) / 1000.0
    seconds[nat] = np.nan
    return seconds


# -- the calendar features (numpy or keras.ops) -----------------------------------------------
class _NumpyOps:
    """The few ``keras.ops`` functions :func:`calendar_features` uses, on numpy arrays."""

    floor = staticmethod(np.floor)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    where = staticmethod(np.where)

    @staticmethod
    def concatenate(parts: list[Any], axis: int = -1) -> Any:
        return np.concatenate(parts, axis=axis)

    @staticmethod
    def cast(x: Any, dtype: str) -> Any:
        return np.asarray(x).astype(dtype)


NUMPY_OPS = _NumpyOps()


def feature_names(hours: bool) -> list[str]:
    """The calendar features in column order (``hours``: times vary within a day)."""
    names = ["year", "month", "day_of_week"] + (["hour"] if hours else [])
    names += ["month_sin", "month_cos", "day_of_week_sin", "day_of_week_cos"]
    names += ["hour_sin", "hour_cos"] if hours else []
    return [*names, "elapsed_days"]


def civil_from_days(ops: Any, days: Any) -> tuple[Any, Any, Any]:
    """(year, month 1-12, day 1-31) of whole days since 1970-01-01, in float64.

    Howard Hinnant's ``civil_from_days`` (see the module docstring), written with floor
    divisions so that it holds for days before 1970 too.
    """
    z = days + 719_468.0
    era = ops.floor(z / 146_097.0)
    doe = z - era * 146_097.0  # day of era, 0..146096
    yoe = ops.floor(
        (doe - ops.floor(doe / 1_460.0) + ops.floor(doe / 36_524.0) - ops.floor(doe / 146_096.0))
        / 365.0
    )  # year of era, 0..399
    doy = doe - (365.0 * yoe + ops.floor(yoe / 4.0) - ops.floor(yoe / 100.0))  # from March 1
    mp = ops.floor((5.0 * doy + 2.0) / 153.0)  # month from March, 0..11
    day = doy - ops.floor((153.0 * mp + 2.0) / 5.0) + 1.0
    month = ops.where(mp < 10.0, mp + 3.0, mp - 9.0)
    year = yoe + era * 400.0 + ops.where(month <= 2.0, 1.0, 0.0)
    return year, month, day


def calendar_features(ops: Any, seconds: Any, *, hours: bool, origin: float) -> Any:
    """The (n, k) float32 calendar features of (n, 1) float64 Unix seconds without missing
    values, in :func:`feature_names` order; ``origin`` is the earliest training second."""
    days = ops.floor(seconds / DAY)
    year, month, _ = civil_from_days(ops, days)
    weekday = days + 3.0 - ops.floor((days + 3.0) / 7.0) * 7.0  # Monday = 0 (1970-01-01: Thu)
    turn = 2.0 * math.pi
    parts = [year, month, weekday]
    hour = None
    if hours:
        hour = ops.floor((seconds - days * DAY) / 3_600.0)
        parts.append(hour)
    month0 = month - 1.0
    parts += [
        ops.sin(month0 * (turn / 12.0)),
        ops.cos(month0 * (turn / 12.0)),
        ops.sin(weekday * (turn / 7.0)),
        ops.cos(weekday * (turn / 7.0)),
    ]
    if hour is not None:
        parts += [ops.sin(hour * (turn / 24.0)), ops.cos(hour * (turn / 24.0))]
    parts.append((seconds - origin) / DAY)
    return ops.cast(ops.concatenate(parts, axis=-1), "float32")


def fill_seconds(seconds: np.ndarray, fill: float) -> np.ndarray:
    """``seconds`` with NaN and +-inf replaced by ``fill`` (numpy)."""
    return np.where(np.isfinite(seconds), seconds, fill)


# -- the model's date branch -------------------------------------------------------------------
def date_branch(keras: Any, col: Any, inp: Any, values: np.ndarray) -> tuple[list[Any], dict]:
    """Layers for one date input ``inp`` (float64 (n, 1) Unix seconds) fitted on the training
    ``values``: fill, calendar features (``datefeat_<input>``), standardized; then the
    missing indicator when ``col.missing_indicator``. Returns (parts, fitted facts)."""
    from automl_gui.core.preprocess._impute import MISSING_PREFIX

    ops = keras.ops
    seconds = values.astype(np.float64).reshape(-1, 1)
    finite = seconds[np.isfinite(seconds)]
    fill = float(np.median(finite)) if finite.size else 0.0
    origin = float(finite.min()) if finite.size else 0.0
    hours = bool(finite.size and np.any(np.mod(finite, DAY) != 0.0))
    filled = fill_seconds(seconds, fill)
    table = calendar_features(NUMPY_OPS, filled, hours=hours, origin=origin).astype(np.float64)
    mean, var = table.mean(axis=0), table.var(axis=0)
    var = np.where(var > 0, var, 1.0)

    name = inp.name
    x = ops.cast(inp, "float64")
    missing = ops.logical_not(ops.isfinite(x))
    x = ops.where(missing, fill, x)
    feats = calendar_features(ops, x, hours=hours, origin=origin)
    feats = keras.layers.Identity(dtype="float32", name=f"{FEATURES_PREFIX}{name}")(feats)
    scaled = keras.layers.Normalization(
        axis=-1, mean=mean, variance=var, dtype="float32", name=f"scale_{name}"
    )(feats)
    parts = [scaled]
    if col.missing_indicator:
        flags = keras.layers.Identity(dtype="float32", name=f"{MISSING_PREFIX}{name}")(
            ops.cast(missing, "float32")
        )
        parts.append(flags)
    names = feature_names(hours)
    facts: dict[str, Any] = {
        "type": "datetime",
        "fill_value": fill,
        "origin": origin,
        "hours": hours,
        "features": names,
        "missing_indicator": bool(col.missing_indicator),
        "missing_in_train": int((~np.isfinite(seconds)).sum()),
    }
    if finite.size:
        first, last = pd.to_datetime([finite.min(), finite.max()], unit="s")
        facts.update(first=str(first), last=str(last))
    return parts, facts


__all__ = [
    "DATETIME",
    "FEATURES_PREFIX",
    "NUMPY_OPS",
    "UNIX_MILLISECONDS",
    "UNIX_SECONDS",
    "calendar_features",
    "civil_from_days",
    "date_branch",
    "date_seconds",
    "detect_parse",
    "feature_names",
    "fill_seconds",
    "looks_like_unix_time",
]
