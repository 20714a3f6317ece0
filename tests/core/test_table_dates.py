"""Date/time columns of a table (issue 16): read with the format found on the training split,
given to the model as (day, second) pairs, and turned into calendar numbers by the same
arithmetic in numpy and in ``keras.ops`` (Howard Hinnant's civil_from_days), checked against
pandas on every day of 1900-2100 and on leap days."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.data.profile import profile_table
from automl_gui.core.data.schema import ColumnKind
from automl_gui.core.preprocess import _dates
from automl_gui.core.preprocess._inputs import InputSchema, frame_to_inputs

DAY = 86_400


def pairs_of(stamps: pd.DatetimeIndex) -> np.ndarray:
    seconds = stamps.as_unit("s").asi8.astype(np.float64)
    return _dates.day_and_second(seconds)


def test_civil_from_days_matches_pandas_on_every_day_1900_to_2100():
    stamps = pd.date_range("1900-01-01", "2100-12-31", freq="D")
    days = pairs_of(stamps)[:, :1]
    year, month, day = _dates.civil_from_days(_dates.NUMPY_OPS, days)
    assert days.dtype == np.float32  # the model's arithmetic is float32: exact here
    assert np.array_equal(year.reshape(-1), stamps.year)
    assert np.array_equal(month.reshape(-1), stamps.month)
    assert np.array_equal(day.reshape(-1), stamps.day)


def test_keras_ops_give_pandas_calendar_numbers_bit_for_bit_like_numpy():
    import keras

    rng = np.random.default_rng(0)
    stamps = pd.date_range("1900-01-01", "2100-12-31", freq="D")
    stamps = stamps + pd.to_timedelta(rng.integers(0, DAY, len(stamps)), unit="s")
    pair = pairs_of(stamps)
    origin = float(stamps[0].timestamp())
    fill = float(stamps[len(stamps) // 2].timestamp())
    ours, missing = _dates.features_of(_dates.NUMPY_OPS, pair, fill, hours=True, origin=origin)
    theirs, _ = _dates.features_of(keras.ops, pair, fill, hours=True, origin=origin)
    assert np.array_equal(ours, np.asarray(theirs))
    assert not missing.any()
    names = _dates.feature_names(hours=True)
    table = dict(zip(names, ours.T, strict=True))
    assert np.array_equal(table["year"], stamps.year)
    assert np.array_equal(table["month"], stamps.month)
    assert np.array_equal(table["day_of_week"], stamps.dayofweek)  # Monday = 0
    assert np.array_equal(table["hour"], stamps.hour)
    elapsed = (stamps - stamps[0]).total_seconds().to_numpy() / DAY
    assert np.allclose(table["elapsed_days"], elapsed, atol=1e-3)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2000-02-29", (2000, 2, 29)),  # a leap year divisible by 400
        ("2024-02-29 23:59:59", (2024, 2, 29)),
        ("1900-03-01", (1900, 3, 1)),  # 1900 is no leap year: Feb 28 is followed by Mar 1
        ("1900-02-28", (1900, 2, 28)),
        ("2100-03-01", (2100, 3, 1)),
        ("1969-12-31 23:00", (1969, 12, 31)),  # before 1970: negative days
        ("1970-01-01", (1970, 1, 1)),
    ],
)
def test_leap_days_and_the_epoch(text, want):
    seconds = _dates.date_seconds(pd.Series([text]), "format:ISO8601", "when")
    pair = _dates.day_and_second(seconds)
    year, month, day = _dates.civil_from_days(_dates.NUMPY_OPS, pair[:, :1])
    assert (int(year[0, 0]), int(month[0, 0]), int(day[0, 0])) == want
    stamp = pd.Timestamp(text)
    assert pair[0, 1] == stamp.hour * 3600 + stamp.minute * 60 + stamp.second


@pytest.mark.parametrize(
    ("values", "parse"),
    [
        (["2021-03-04", "2021-12-31", None], "format:ISO8601"),
        (["2021-03-04T10:00:00+02:00", "2021-12-31T23:00:00Z"], "format:ISO8601"),
        (["31/12/2021", "04/03/2021", "13/01/2020"], "format:%d/%m/%Y"),
        (["12/31/2021", "03/04/2021", "01/13/2020"], "format:%m/%d/%Y"),
        (["Mar 4, 2021", "Dec 31, 2021"], "format:%b %d, %Y"),
        ([1_600_000_000, 1_650_000_000, np.nan], "unix_s"),
        ([1_600_000_000_000, 1_650_000_000_000], "unix_ms"),
        (["1600000000", "1650000000"], "unix_s"),
    ],
)
def test_the_format_is_found_on_the_training_values(values, parse):
    assert _dates.detect_parse(pd.Series(values)) == parse


def test_datetime_columns_and_time_zones_become_utc():
    aware = pd.Series(pd.to_datetime(["2020-01-01 01:00"]).tz_localize("Europe/Berlin"))
    assert _dates.detect_parse(aware) == _dates.DATETIME
    seconds = _dates.date_seconds(aware, _dates.DATETIME, "when")
    assert seconds[0] == pd.Timestamp("2020-01-01 00:00", tz="UTC").timestamp()
    text = pd.Series(["2020-01-01T01:00:00+02:00"])
    got = _dates.date_seconds(text, "format:ISO8601", "when")
    assert got[0] == pd.Timestamp("2019-12-31 23:00", tz="UTC").timestamp()
    # a model trained on a datetime column, given the dates as text (a CSV)
    got = _dates.date_seconds(pd.Series(["2020-01-01 00:00:00"]), _dates.DATETIME, "when")
    assert got[0] == pd.Timestamp("2020-01-01", tz="UTC").timestamp()


def test_missing_and_unparseable_dates_are_nan_pairs():
    series = pd.Series(["2021-05-06 07:08:09", None, "not a date", "", np.nan, "2021-02-30"])
    schema = InputSchema.from_columns([("when", "float32", "format:%Y-%m-%d %H:%M:%S")])
    pair = frame_to_inputs(pd.DataFrame({"when": series}), schema)["when"]
    assert pair.shape == (6, 2) and pair.dtype == np.float32
    assert np.isfinite(pair[0]).all() and np.isnan(pair[1:]).all()  # Feb 30: no date
    assert schema.inputs()[0].width == 2
    fill = float(pd.Timestamp("2020-06-15 12:00").timestamp())
    numbers, missing = _dates.features_of(
        _dates.NUMPY_OPS, pair, fill, hours=True, origin=fill - 10 * DAY
    )
    assert missing.reshape(-1).tolist() == [False] + [True] * 5
    # the missing ones read as the fill date: 2020-06-15, a Monday, 12 h, day 10
    assert numbers[1].tolist() == [2020, 6, 0, 12, 10]
    assert numbers[0].tolist()[:4] == [2021, 5, 3, 7]


def test_the_schema_keeps_the_parse_only_where_set():
    schema = InputSchema.from_columns(
        [("x", "float32"), ("when", "float32", "unix_s"), ("note", "string", "text")]
    )
    data = schema.to_dict()
    assert "parse" not in data["columns"][0]
    assert data["columns"][1]["parse"] == "unix_s"
    assert InputSchema.from_dict(data) == schema


def test_unix_times_in_columns_named_like_times_are_dates():
    rng = np.random.default_rng(1)
    n = 50
    df = pd.DataFrame(
        {
            "created_at": rng.integers(1_500_000_000, 1_700_000_000, n),
            "event_time_ms": rng.integers(1_500_000_000_000, 1_700_000_000_000, n),
            "time_spent": rng.integers(1, 500, n),  # a duration, not a date
            "price": rng.integers(1_500_000_000, 1_700_000_000, n),  # not named like a time
        }
    )
    kinds = {c.name: c.kind for c in profile_table(df).columns}
    assert kinds["created_at"] is ColumnKind.DATETIME
    assert kinds["event_time_ms"] is ColumnKind.DATETIME
    assert kinds["time_spent"] is ColumnKind.NUMERIC
    assert kinds["price"] is not ColumnKind.DATETIME
    assert _dates.detect_parse(df["event_time_ms"]) == _dates.UNIX_MILLISECONDS
