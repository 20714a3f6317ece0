"""Date/time columns of a table: one parse to Unix seconds, and calendar features computed
inside the model with ``keras.ops``.

A date column reaches the model as a (n, 2) float32 pair: whole days since 1970-01-01 and
seconds into that day (UTC; NaN = missing or not a date; :func:`day_and_second`), converted
from Unix seconds by ``_inputs.frame_to_inputs`` with the parse detected on the training split
and stored in the input schema (``InputColumn.parse``). Not one float64 of Unix seconds: Keras
casts float64 inputs to float32 in ``fit``/``predict``, and float32 holds Unix seconds of today
only to 128 s. The parses:

- ``"datetime"``: a pandas datetime column (time-zone aware ones are converted to UTC);
- ``"unix_s"`` / ``"unix_ms"``: numbers counting seconds / milliseconds since 1970-01-01 UTC;
- ``"format:<fmt>"``: text parsed by ``pandas.to_datetime(format=<fmt>, utc=True)``, where
  ``<fmt>`` is ``ISO8601``, a ``strftime`` pattern guessed from the training values
  (``%d/%m/%Y``...), or ``mixed`` (each value parsed on its own) when no single pattern fits.

Inside the model the missing values are filled with the training median, and the calendar
numbers are computed by :func:`calendar_features` (plain ``keras.ops`` nodes, so a saved
``.keras`` loads in safe mode without this app): year, month, day of week, hour (only when the
training times vary within a day) and days elapsed since the earliest training date; then
:func:`cycles` adds the sine/cosine of month, day of week and hour. The same functions run on
numpy arrays (:data:`NUMPY_OPS`) to fit the scaling, and :func:`calendar_features` to encode
rows for TFLite/ONNX (whose graphs start at the calendar numbers, ``datefeat_<input>``, and
compute the cycles themselves: exact arithmetic gives numpy and Keras the same bits, sine and
cosine would not).

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
def looks_like_unix_time(name: str, lo: float | None, hi: float | None) -> bool:
    """True when a numeric column named like a time (``created_at``, ``timestamp``...) whose
    values lie in ``[lo, hi]`` holds Unix seconds or milliseconds of 1973..2286."""
    if lo is None or hi is None or not UNIX_NAME.search(str(name)):
        return False
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
    ``parse``; text is parsed with the stored format (each value on its own when the model
    was trained on a datetime column).

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
    if parse == DATETIME:  # trained on a datetime column, given text (a CSV): any format
        parse = FORMAT_PREFIX + "mixed"
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
    isfinite = staticmethod(np.isfinite)
    logical_and = staticmethod(np.logical_and)
    logical_not = staticmethod(np.logical_not)

    @staticmethod
    def take(x: Any, indices: list[int], axis: int) -> Any:
        return np.take(x, indices, axis=axis)

    @staticmethod
    def concatenate(parts: list[Any], axis: int = -1) -> Any:
        return np.concatenate(parts, axis=axis)

    @staticmethod
    def cast(x: Any, dtype: str) -> Any:
        return np.asarray(x).astype(dtype)


NUMPY_OPS = _NumpyOps()


def day_and_second(seconds: np.ndarray) -> np.ndarray:
    """Unix seconds as the model's (n, 2) float32 input: whole days since 1970-01-01 and
    seconds into that day (NaN, NaN when missing). Both are exact in float32, which Unix
    seconds are not (Keras casts float64 inputs to float32 in ``fit``/``predict``; float32
    steps by 128 s around 2020)."""
    seconds = np.asarray(seconds, dtype=np.float64).reshape(-1)
    days = np.floor(seconds / DAY)
    return np.stack([days, seconds - days * DAY], axis=1).astype(np.float32)


def feature_names(hours: bool) -> list[str]:
    """The calendar numbers of ``datefeat_<input>`` in column order (``hours``: times vary
    within a day); the model adds their cycles (:func:`cycle_names`) itself."""
    return ["year", "month", "day_of_week"] + (["hour"] if hours else []) + ["elapsed_days"]


def cycle_names(hours: bool) -> list[str]:
    """The cyclic features the model computes from the calendar numbers, in column order."""
    names = ["month_sin", "month_cos", "day_of_week_sin", "day_of_week_cos"]
    return names + (["hour_sin", "hour_cos"] if hours else [])


def civil_from_days(ops: Any, days: Any) -> tuple[Any, Any, Any]:
    """(year, month 1-12, day 1-31) of whole days since 1970-01-01.

    Howard Hinnant's ``civil_from_days`` (see the module docstring), written with floor
    divisions so that it holds for days before 1970 too. Every intermediate value is an
    integer below 2**24 for years within about ±40,000 of 1970, so float32 is exact, and no
    quotient comes within float32's rounding of an integer it is not.
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


def calendar_features(ops: Any, days: Any, second: Any, *, hours: bool, origin: float) -> Any:
    """The (n, k) float32 calendar numbers, in :func:`feature_names` order, of (n, 1) whole
    days since 1970 and (n, 1) seconds into the day (no missing values); ``origin`` is the
    earliest training date in Unix seconds. Only exact float32 arithmetic (floor, +, -, *, /),
    so numpy and every runtime give the same bits."""
    origin_day = math.floor(origin / DAY)
    origin_second = origin - origin_day * DAY
    year, month, _ = civil_from_days(ops, days)
    weekday = days + 3.0 - ops.floor((days + 3.0) / 7.0) * 7.0  # Monday = 0 (1970-01-01: Thu)
    parts = [year, month, weekday]
    if hours:
        parts.append(ops.floor(second / 3_600.0))
    parts.append((days - float(origin_day)) + (second - origin_second) / DAY)
    return ops.cast(ops.concatenate(parts, axis=-1), "float32")


def cycles(ops: Any, numbers: Any, *, hours: bool) -> Any:
    """Sine and cosine of month, day of week (and hour) on their circles, from the calendar
    numbers of :func:`calendar_features` (in :func:`cycle_names` order)."""
    turn = 2.0 * math.pi
    month = ops.take(numbers, [1], axis=1) - 1.0
    weekday = ops.take(numbers, [2], axis=1)
    parts = [
        ops.sin(month * (turn / 12.0)),
        ops.cos(month * (turn / 12.0)),
        ops.sin(weekday * (turn / 7.0)),
        ops.cos(weekday * (turn / 7.0)),
    ]
    if hours:
        hour = ops.take(numbers, [3], axis=1)
        parts += [ops.sin(hour * (turn / 24.0)), ops.cos(hour * (turn / 24.0))]
    return ops.concatenate(parts, axis=-1)


def features_of(ops: Any, pair: Any, fill: float, *, hours: bool, origin: float):
    """(calendar numbers, missing) of the (n, 2) day/second input ``pair``: a missing or
    unreadable date (NaN) counts as the Unix second ``fill``; ``missing`` is (n, 1) bool."""
    x = ops.cast(pair, "float32")
    days, second = ops.take(x, [0], axis=1), ops.take(x, [1], axis=1)
    missing = ops.logical_not(ops.logical_and(ops.isfinite(days), ops.isfinite(second)))
    fill_day = math.floor(fill / DAY)
    days = ops.where(missing, float(fill_day), days)
    second = ops.where(missing, fill - fill_day * DAY, second)
    return calendar_features(ops, days, second, hours=hours, origin=origin), missing


# -- the model's date branch -------------------------------------------------------------------
def date_branch(keras: Any, col: Any, inp: Any, values: np.ndarray) -> tuple[list[Any], dict]:
    """Layers for one date input ``inp`` ((n, 2) float32 day and second, see
    :func:`day_and_second`) fitted on the training ``values``: fill, calendar features
    (``datefeat_<input>``), standardized; then the missing indicator when
    ``col.missing_indicator``. Returns (parts, fitted facts)."""
    from automl_gui.core.preprocess._impute import MISSING_PREFIX

    pair = np.asarray(values, dtype=np.float64).reshape(-1, 2)
    present = np.isfinite(pair).all(axis=1)
    seconds = pair[present, 0] * DAY + pair[present, 1]
    fill = float(np.median(seconds)) if seconds.size else 0.0
    origin = float(seconds.min()) if seconds.size else 0.0
    hours = bool(seconds.size and np.any(pair[present, 1] != 0.0))
    numbers, _ = features_of(NUMPY_OPS, pair.astype(np.float32), fill, hours=hours, origin=origin)
    table = np.concatenate([numbers, cycles(NUMPY_OPS, numbers, hours=hours)], axis=1)
    table = table.astype(np.float64)
    mean, var = table.mean(axis=0), table.var(axis=0)
    var = np.where(var > 0, var, 1.0)

    name = inp.name
    feats, missing = features_of(keras.ops, inp, fill, hours=hours, origin=origin)
    feats = keras.layers.Identity(dtype="float32", name=f"{FEATURES_PREFIX}{name}")(feats)
    feats = keras.ops.concatenate([feats, cycles(keras.ops, feats, hours=hours)], axis=-1)
    scaled = keras.layers.Normalization(
        axis=-1, mean=mean, variance=var, dtype="float32", name=f"scale_{name}"
    )(feats)
    parts = [scaled]
    if col.missing_indicator:
        flags = keras.layers.Identity(dtype="float32", name=f"{MISSING_PREFIX}{name}")(
            keras.ops.cast(missing, "float32")
        )
        parts.append(flags)
    facts: dict[str, Any] = {
        "type": "datetime",
        "fill_value": fill,
        "origin": origin,
        "hours": hours,
        "features": feature_names(hours) + cycle_names(hours),
        "missing_indicator": bool(col.missing_indicator),
        "missing_in_train": int((~present).sum()),
    }
    if seconds.size:
        first, last = pd.to_datetime([seconds.min(), seconds.max()], unit="s")
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
    "cycle_names",
    "cycles",
    "date_branch",
    "date_seconds",
    "day_and_second",
    "detect_parse",
    "feature_names",
    "features_of",
    "looks_like_unix_time",
]
