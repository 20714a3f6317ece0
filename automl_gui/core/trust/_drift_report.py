"""What a drift check answers (``core.trust.drift``): :class:`DriftReport`, its rule's
figures and its sentences. Shared by the table and the files comparisons."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: the metadata key holding the training data's summary
DRIFT_KEY = "drift_reference"
#: PSI at or above which a column's distribution has shifted significantly (Siddiqi 2006)
PSI_DRIFT = 0.2
#: p-value below which the difference is not chance
P_DRIFT = 0.01
#: the columns every ``drift.csv`` starts with
FIRST_COLUMNS = ("feature", "statistic", "score", "drifted")
#: features named in a sentence before "and N more"
NAMED = 5


@dataclass
class DriftReport:
    """How far new data is from the training data.

    Attributes:
        table: one row per compared feature (a column, or ``"embeddings"``): ``feature,
            statistic, score, drifted`` first (statistic: what score is, "PSI" for a column,
            "share beyond the 95 % distance" for embeddings), then ``test`` ("KS",
            "chi-square", "binomial"), ``test_statistic``, ``p_value``, ``psi`` and the
            kind's own figures
            (columns: ``unseen``, ``unseen_values``, ``missing_train``, ``missing_new``,
            ``test_statistic``, ``rows``; embeddings: ``far``, ``items``, ``threshold``,
            ``expected_share``). Drifted features first.
        subject: what a row is, plural ("columns"; "embeddings" for files).
        items: what the new data is made of, plural ("rows", "images", "clips", "texts").
        compared: how many new items were compared.
        method: the method in words, with its sources.
        notes: sentences for the user (columns not compared, a small sample, ...).
    """

    table: pd.DataFrame
    subject: str = "columns"
    items: str = "rows"
    compared: int = 0
    method: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> list[str]:
        """The features that drifted, most shifted first."""
        if self.table is None or not len(self.table):
            return []
        return [str(f) for f in self.table.loc[self.table["drifted"].astype(bool), "feature"]]

    @property
    def unseen(self) -> dict[str, tuple[int, str]]:
        """Column → (rows holding a category the model never saw, the first of them)."""
        if "unseen" not in self.table.columns:
            return {}
        out = {}
        for row in self.table.itertuples(index=False):
            count = row.unseen
            if count == count and count:  # not NaN, not 0
                out[str(row.feature)] = (int(count), str(getattr(row, "unseen_values", "")))
        return out

    def summary(self, *, figures: bool = True) -> str:
        """One sentence: "2 of 9 columns differ from the training data: age, income (PSI ≥
        0.2, p < 0.01)." (files: the share of far items), with new categories named.
        ``figures=False`` leaves out the rule's figures (the window's banner)."""
        if self.subject == "embeddings":
            return _files_sentence(self, figures)
        n = len(self.table)
        drifted = self.drifted
        if drifted:
            rule = f" (PSI ≥ {PSI_DRIFT:g}, p < {P_DRIFT:g})" if figures else ""
            text = (
                f"{len(drifted)} of {n} {self.subject} differ from the training data: "
                f"{_named(drifted)}{rule}."
            )
        unseen = self.unseen
        if not drifted and unseen:  # never "No drift" beside values the model never saw
            parts = [
                f"{column} has {count:,} values the model never saw ({values})"
                for column, (count, values) in unseen.items()
            ]
            shown = "; ".join(parts[:NAMED]) + (
                f"; and {len(parts) - NAMED} more" if len(parts) > NAMED else ""
            )
            return (
                f"No column's distribution changed ({n} compared with the training data), "
                f"but {shown}."
            )
        if not drifted:
            return f"No drift: none of the {n} {self.subject} differs from the training data."
        if unseen:
            parts = [
                f"{column} ({count:,}: {values})" for column, (count, values) in unseen.items()
            ]
            shown = "; ".join(parts[:NAMED]) + (
                f"; and {len(parts) - NAMED} more" if len(parts) > NAMED else ""
            )
            text += f" Categories the model never saw: {shown}."
        return text

    def to_csv(self, path: str | os.PathLike[str], *, make_parents: bool = False) -> Any:
        """Write :attr:`table` as ``drift.csv`` (atomically: ``atomic_write``); returns the
        path written."""
        from automl_gui.core.base.files import atomic_write

        table = self.table
        return atomic_write(
            path, lambda tmp: table.to_csv(tmp, index=False), make_parents=make_parents
        )


def _named(names: list[str]) -> str:
    shown = ", ".join(names[:NAMED])
    return shown + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")


def _files_sentence(report: DriftReport, figures: bool = True) -> str:
    row = report.table.iloc[0]
    share, expected = float(row["score"]), float(row["expected_share"])
    p = float(row["p_value"])
    items = report.items
    far = f"{share:.0%} of the {report.compared:,} {items}"
    if bool(row["drifted"]):
        p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
        rule = f" ({expected:.0%} expected, {p_text})" if figures else ""
        return (
            f"The {items} differ from the training data: {far} lie farther from the training "
            f"{items} than {1 - expected:.0%} of the validation {items} did{rule}."
        )
    return (
        f"No drift: {far} lie beyond the validation {items}' {1 - expected:.0%} distance "
        f"({expected:.0%} expected)."
    )
