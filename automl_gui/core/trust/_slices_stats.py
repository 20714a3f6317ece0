"""Chance in subgroup figures (``core.trust.slices``): 95 % Wilson intervals for a group's
rate, a test of whether two groups' rates differ more than chance alone gives, and whether a
column looks like a protected attribute (where the four-fifths rule applies).

- Wilson score interval (Wilson 1927, "Probable inference, the law of succession, and
  statistical inference", JASA 22(158)): good coverage down to a few dozen examples, never
  outside [0, 1], unlike the normal approximation.
- Two groups' rates (successes of n each): Pearson's chi-square test of the 2×2 table with
  Yates' continuity correction (``scipy.stats.chi2_contingency``), or Fisher's exact test
  (``scipy.stats.fisher_exact``) when an expected count is under 5 (Cochran's rule).
- Two groups' errors (regression): the Mann–Whitney U test on absolute errors
  (``scipy.stats.mannwhitneyu``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the four-fifths rule's ratio (29 CFR 1607.4(D))
FOUR_FIFTHS = 0.8
#: metrics where a larger value is worse (a group's "worst" is its highest)
LOWER_IS_BETTER = frozenset({"false_negative_rate", "mae", "rmse"})
#: a gap or a four-fifths ratio counts only when chance alone gives it less often than this
ALPHA = 0.05
#: the normal quantile of a 95 % interval
Z95 = 1.959963984540054
CHI_SQUARE = "chi-square test"
FISHER = "Fisher's exact test"
MANN_WHITNEY = "Mann–Whitney U test"
#: words that mark a protected attribute (US and EU anti-discrimination law's grounds), looked
#: for as whole words of the column's name
PROTECTED_WORDS = frozenset(
    {
        "sex",
        "gender",
        "age",
        "race",
        "racial",
        "ethnicity",
        "ethnic",
        "religion",
        "religious",
        "disability",
        "disabled",
        "nationality",
        "national",
        "origin",
        "color",
        "colour",
        "pregnancy",
        "pregnant",
        "marital",
        "orientation",
        "citizenship",
        "veteran",
        "caste",
        "birth",
    }
)


def wilson(successes: float, n: float) -> tuple[float, float]:
    """The 95 % Wilson score interval of ``successes / n`` (NaNs for ``n == 0``)."""
    if n <= 0:
        return float("nan"), float("nan")
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rates_test(s1: float, n1: float, s2: float, n2: float) -> tuple[float | None, str]:
    """``(p value, the test's name)`` of two rates ``s1 / n1`` and ``s2 / n2`` differing by
    chance: chi-square (Yates) or, with an expected count under 5, Fisher's exact test.
    ``(None, "")`` when a group has no examples."""
    from scipy.stats import chi2_contingency, fisher_exact

    s1, n1, s2, n2 = (int(round(v)) for v in (s1, n1, s2, n2))
    if n1 <= 0 or n2 <= 0:
        return None, ""
    table = np.array([[s1, n1 - s1], [s2, n2 - s2]], dtype=np.int64)
    if (table.sum(axis=0) == 0).any():  # all successes or none in both: identical rates
        return 1.0, CHI_SQUARE
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if (expected < 5).any():
        return float(fisher_exact(table)[1]), FISHER
    return float(chi2_contingency(table, correction=True)[1]), CHI_SQUARE


def errors_test(a: Any, b: Any) -> tuple[float | None, str]:
    """``(p value, name)`` of two groups' absolute errors differing by chance
    (Mann–Whitney U, two-sided); ``(None, "")`` with an empty group."""
    from scipy.stats import mannwhitneyu

    a, b = np.abs(np.asarray(a, np.float64)), np.abs(np.asarray(b, np.float64))
    if not len(a) or not len(b):
        return None, ""
    if np.ptp(np.concatenate([a, b])) == 0:
        return 1.0, MANN_WHITNEY
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue), MANN_WHITNEY


def significant(p_value: float | None) -> bool:
    return p_value is not None and math.isfinite(p_value) and p_value < ALPHA


def p_words(p_value: float | None, test: str = "") -> str:
    """ "p = 0.41, chi-square test" / "p < 0.001, Fisher's exact test"."""
    if p_value is None:
        return ""
    shown = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"
    return f"{shown}, {test}" if test else shown


def is_protected(by: str) -> bool:
    """Whether the column's name (``by``; "attrs.csv:sex" reads "sex") holds a word of a
    protected attribute (:data:`PROTECTED_WORDS`): where the four-fifths rule is meant."""
    name = str(by).rsplit(":", 1)[-1].lower()
    return any(word in PROTECTED_WORDS for word in re.split(r"[^a-z]+", name) if word)


@dataclass(frozen=True)
class Gap:
    """One metric's spread over the judged groups: ``high_value - low_value``."""

    metric: str
    gap: float
    low: str
    low_value: float
    high: str
    high_value: float
    #: whether chance alone gives a gap this large between the two groups (None: untested)
    p_value: float | None = None
    test: str = ""
    #: the denominators the two values rest on (rows, or positives for a false negative rate)
    low_count: int = 0
    high_count: int = 0

    @property
    def significant(self) -> bool:
        """Whether the gap is beyond chance (p < 0.05)."""
        return significant(self.p_value)

    @property
    def worst(self) -> str:
        """The group the metric is worse for."""
        return self.high if self.metric in LOWER_IS_BETTER else self.low


@dataclass(frozen=True)
class FourFifths:
    """The four-fifths rule on a binary model's selection rate of class ``positive``."""

    positive: str
    ratio: float
    low: str
    low_rate: float
    high: str
    high_rate: float
    p_value: float | None = None
    test: str = ""
    #: whether the column looks like a protected attribute (sex, age, ethnicity…)
    protected: bool = False

    @property
    def below(self) -> bool:
        """The ratio is under 0.8 (whether or not by chance)."""
        return self.ratio < FOUR_FIFTHS

    @property
    def significant(self) -> bool:
        return significant(self.p_value)

    @property
    def fails(self) -> bool:
        """Under 0.8 and the selection rates differ beyond chance (an old report without a
        test: under 0.8)."""
        return self.below and (self.p_value is None or self.significant)

    @property
    def passed(self) -> bool:
        return not self.fails
