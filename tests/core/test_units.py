"""One formatter for durations and one for byte sizes: the strings users have always seen."""

from __future__ import annotations

import math

import pytest

from automl_gui.core.base.units import format_bytes, format_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (7, "0:07"),
        (7.4, "0:07"),
        (59.6, "1:00"),
        (300, "5:00"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3723, "1:02:03"),
        (100_000, "27:46:40"),
    ],
)
def test_clock_durations_read_minutes_and_seconds_with_hours_first_when_there_are_any(
    seconds, text
):
    assert format_duration(seconds) == text
    assert format_duration(seconds, "clock") == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.85, "0.85 s"),
        (9.994, "9.99 s"),
        (12.34, "12.3 s"),
        (59.9, "59.9 s"),
        (245, "4:05"),
        (7380, "2:03:00"),
    ],
)
def test_precise_durations_keep_decimals_below_a_minute(seconds, text):
    assert format_duration(seconds, "precise") == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.85, "0.85 s"),
        (12.34, "12.3 s"),
        (245, "4 min 05 s"),
        (3599.4, "59 min 59 s"),
        (7380, "2 h 03 min"),
        (7409, "2 h 03 min"),
    ],
)
def test_durations_in_words(seconds, text):
    assert format_duration(seconds, "words") == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(3.5, "3.5 s"), (30, "30 s"), (150, "2.5 min"), (4320, "1.2 h"), (36_000, "10 h")],
)
def test_rough_durations_have_three_significant_digits(seconds, text):
    assert format_duration(seconds, "rough") == text


@pytest.mark.parametrize("value", [None, math.nan, math.inf, "soon", True, object()])
def test_unknown_durations_show_the_callers_placeholder(value):
    assert format_duration(value) == "—"
    assert format_duration(value, "words", unknown="?") == "?"


def test_durations_read_from_json_text_are_numbers():
    assert format_duration("75") == "1:15"


def test_a_negative_duration_reads_as_zero():
    assert format_duration(-12) == "0:00"
    assert format_duration(-0.5, "precise") == "0.00 s"


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError, match="style"):
        format_duration(5, "fortnights")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 bytes"),
        (812, "812 bytes"),
        (1023, "1,023 bytes"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (5 * 1024**2, "5.0 MB"),
        (int(1.25 * 1024**3), "1.2 GB"),
        (3000 * 1024**3, "3,000.0 GB"),
    ],
)
def test_sizes_on_disk_count_in_steps_of_1024(n, text):
    assert format_bytes(n) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (999, "999 bytes"),
        (512.6, "513 bytes"),
        (1000, "1.0 KB"),
        (2_500_000, "2.5 MB"),
        (1_234_500_000_000, "1,234.5 GB"),
    ],
)
def test_estimates_count_in_steps_of_1000(n, text):
    assert format_bytes(n, base=1000) == text


def test_an_unknown_size_shows_the_callers_placeholder():
    assert format_bytes(None) == "unknown"
    assert format_bytes(None, unknown="?") == "?"
