"""The Data page's warning about groups too small to judge a model on
(``profile.dataset_warnings``): a category whose rows would leave fewer than
:data:`MIN_GROUP_ROWS` in the test split gets figures that are noise, on Evaluate and in
``automl-gui evaluate --by`` (``core.trust.slices`` names such groups instead of judging
them)."""

from __future__ import annotations

from automl_gui.core.data.schema import ColumnKind, DataWarning, TableProfile

#: a group needs this many test rows to be judged (``core.trust.slices.MIN_COUNT``)
MIN_GROUP_ROWS = 30
#: the test share of the default split (``preprocess.config.SplitConfig.test``)
TEST_FRACTION = 0.15
#: category columns with at most this many values are looked at (all are in the profile's
#: top values, so nothing is counted again)
MAX_VALUES = 10
#: groups named in the warning; the rest counted
SHOWN = 6


def small_group_warning(
    profile: TableProfile, target: str | None, test_fraction: float = TEST_FRACTION
) -> list[DataWarning]:
    """One warning naming the groups of category and boolean columns (not the target) whose
    expected test rows (rows × ``test_fraction``) are under :data:`MIN_GROUP_ROWS`; none
    when every group has enough."""
    small: list[tuple[str, str, int]] = []
    for col in profile.columns:
        if col.name == target or col.kind not in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            continue
        if not 2 <= col.unique <= MAX_VALUES or len(col.top_values) < col.unique:
            continue
        for value, count in col.top_values:
            expected = int(round(count * test_fraction))
            if count and expected < MIN_GROUP_ROWS:
                small.append((col.name, str(value), expected))
    if not small:
        return []
    shown = ", ".join(
        f"{c}={v} ({n:,}{' expected test rows' if i == 0 else ''})"
        for i, (c, v, n) in enumerate(small[:SHOWN])
    )
    more = f" and {len(small) - SHOWN} more" if len(small) > SHOWN else ""
    return [
        DataWarning(
            "small_groups",
            f"Too few rows to judge the model for: {shown}{more}. With under "
            f"{MIN_GROUP_ROWS} test rows a group's figures are noise; add rows of these "
            "groups to judge them.",
            column=small[0][0],
            count=len(small),
            severity="info",
        )
    ]
