"""Generate the demo dataset ``resources/samples/customer_churn.csv``.

Synthetic but realistic customer-churn data with a fixed seed, so the file is reproducible
byte for byte: ``.venv/bin/python packaging/make_sample.py``. The churn probability follows
a logistic model over the features plus noise, so a small MLP learns something real
(ROC AUC about 0.85 for a linear baseline) while the data still shows what every page of the app can explain:
an identifier column, categoricals, a yes/no column, a few missing values and a mildly
imbalanced target.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

SEED = 20240607
N_ROWS = 1500
DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent / "resources" / "samples" / "customer_churn.csv"
)

CONTRACTS = ("month-to-month", "one year", "two year")
PAYMENTS = ("electronic check", "mailed check", "bank transfer", "credit card")
REGIONS = ("north", "south", "east", "west")
COLUMNS = (
    "customer_id",
    "region",
    "tenure_months",
    "contract",
    "payment_method",
    "monthly_charges",
    "total_charges",
    "support_calls",
    "has_partner",
    "churn",
)


def generate(n_rows: int = N_ROWS, seed: int = SEED) -> list[dict[str, object]]:
    """Return the rows of the demo dataset (plain Python values; ``None`` means missing).

    Args:
        n_rows: number of customers.
        seed: random seed; the default reproduces the committed file.
    """
    rng = np.random.default_rng(seed)
    contract = rng.choice(3, size=n_rows, p=[0.52, 0.26, 0.22])
    # Long contracts go with long tenure.
    tenure_scale = np.array([14.0, 30.0, 45.0])[contract]
    tenure = np.clip(np.round(rng.gamma(1.6, tenure_scale / 1.6)), 1, 72).astype(int)
    payment = rng.choice(4, size=n_rows, p=[0.34, 0.22, 0.22, 0.22])
    region = rng.choice(4, size=n_rows, p=[0.3, 0.25, 0.25, 0.2])
    partner = rng.random(n_rows) < 0.45
    monthly = np.round(np.clip(rng.normal(68.0, 24.0, n_rows), 19.0, 120.0), 2)
    total = np.round(monthly * tenure * rng.uniform(0.95, 1.05, n_rows), 2)
    support_calls = rng.poisson(np.where(monthly > 85, 2.2, 1.2))

    logit = (
        -1.6
        + np.array([1.0, -0.7, -1.9])[contract]
        - 0.045 * tenure
        + 0.022 * (monthly - 68.0)
        + 0.38 * support_calls
        + np.array([0.55, -0.1, -0.25, -0.3])[payment]
        - 0.35 * partner
        + np.array([0.0, 0.15, -0.1, 0.05])[region]
        + rng.normal(0.0, 0.5, n_rows)  # what the features do not explain
    )
    churn = rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))

    # A few missing values, as real exports have: monthly charges, payment method, region.
    miss_monthly = rng.random(n_rows) < 0.03
    miss_payment = rng.random(n_rows) < 0.02
    miss_region = rng.random(n_rows) < 0.01

    ids = rng.permutation(np.arange(100000, 100000 + n_rows * 7, 7))[:n_rows]
    rows: list[dict[str, object]] = []
    for i in range(n_rows):
        rows.append(
            {
                "customer_id": f"C{ids[i]}",
                "region": None if miss_region[i] else REGIONS[region[i]],
                "tenure_months": int(tenure[i]),
                "contract": CONTRACTS[contract[i]],
                "payment_method": None if miss_payment[i] else PAYMENTS[payment[i]],
                "monthly_charges": None if miss_monthly[i] else f"{monthly[i]:.2f}",
                "total_charges": f"{total[i]:.2f}",
                "support_calls": int(support_calls[i]),
                "has_partner": "yes" if partner[i] else "no",
                "churn": "yes" if churn[i] else "no",
            }
        )
    return rows


def write_csv(rows: list[dict[str, object]], out: Path) -> None:
    """Write ``rows`` as UTF-8 CSV with a header; missing values are empty fields."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})


def main(argv: list[str] | None = None) -> int:
    """Command line: ``make_sample.py [--out PATH] [--rows N] [--seed N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rows", type=int, default=N_ROWS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    rows = generate(args.rows, args.seed)
    write_csv(rows, args.out)
    churned = sum(r["churn"] == "yes" for r in rows)
    print(f"wrote {args.out} ({len(rows)} rows, churn rate {churned / len(rows):.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
