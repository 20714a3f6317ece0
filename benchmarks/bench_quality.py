"""Quality benchmark: the app's models against what a user could get elsewhere in the same time.

    .venv/bin/python benchmarks/bench_quality.py                      # every section
    .venv/bin/python benchmarks/bench_quality.py --section tables --budget 120 --json q.json
    .venv/bin/python benchmarks/bench_quality.py --quick              # a smoke run
    .venv/bin/python benchmarks/bench_quality.py --tables loans,gss_wages

Tables (``_quality_tables``: 11 tables that ship inside packages, six of them real R tables
with categories and missing values, three of those with 20,000+ rows), each in its own
process (``_quality_measure``: one split through the app; its peak memory) with: the app's
default training (the plain Train button), the Auto search with ``--budget`` seconds,
HistGradientBoosting, logistic/ridge regression and a random forest (the leaderboard's
baselines, untuned), and FLAML with the same budget in its own environment
(``benchmarks/.flaml-venv``, made on first use). Test accuracy, or R² for regression.

Goals (issue 17): the search ≥ HistGradientBoosting on every table of 5,000+ rows, and level
with FLAML (within ``LEVEL``); the default training ≥ logistic/ridge on every table. The
50,000-row × 20-column table (``synthetic_50k``) also gives the large-table time and memory.

Images and audio: the rows of ``_quality_images.rows`` / ``_quality_audio.rows`` (default
training vs logistic regression on pixels / MFCC means vs the search), when present.
``--quick``: at most 1,500 rows of each table, 15-second budgets (default training capped
at the budget too): checks the plumbing in minutes, its figures mean little.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from _common import result, run_child, run_main

NAME = "quality"
BUDGET_S = 120.0
QUICK_BUDGET_S = 15.0
BIG_ROWS = 5_000  # the search must match gradient boosting from here up
LEVEL = 0.01  # "level with FLAML": at most this far below it
SECTIONS = ("tables", "images", "audio")
LARGE_TABLE = "synthetic_50k"


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> str:
    """A plain-text table of ``rows``: (header, key) per column."""
    lines = [[header for header, _ in columns]]
    for row in rows:
        lines.append([_fmt(row.get(key), 1 if key.endswith("_s") else 4) for _, key in columns])
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


TABLE_COLUMNS = [
    ("table", "dataset"),
    ("rows", "n"),
    ("metric", "metric"),
    ("default", "default"),
    ("search", "search"),
    ("HGB", "hgb"),
    ("LR/ridge", "linear"),
    ("RF", "forest"),
    ("FLAML", "flaml"),
    ("default_s", "default_s"),
    ("search_s", "search_s"),
    ("peak MB", "peak_mb"),
]
FILE_COLUMNS = [
    ("dataset", "dataset"),
    ("n", "n"),
    ("metric", "metric"),
    ("default", "default"),
    ("search", "search"),
    ("baseline", "baseline"),
    ("default_s", "default_s"),
]


def _at_least(a: Any, b: Any, slack: float = 0.0) -> bool | None:
    return None if a is None or b is None else a >= b - slack


def verdicts(rows: list[dict[str, Any]]) -> list[tuple[str, bool, str]]:
    """(goal, met, the tables that miss it and by how much) for the tables section."""

    def check(goal: str, pairs: list[tuple[str, bool | None, float | None]]) -> Any:
        misses = [f"{n} ({d:+.4f})" for n, ok, d in pairs if ok is False]
        unknown = [n for n, ok, _ in pairs if ok is None]
        text = ("misses " + ", ".join(misses)) if misses else "met"
        if unknown:
            text += f"; not measured on {', '.join(unknown)}"
        return goal, not misses and not unknown, text

    def diff(a: Any, b: Any) -> float | None:
        return None if a is None or b is None else a - b

    big = [r for r in rows if r["n"] >= BIG_ROWS]
    return [
        check(
            f"search >= HGB on every table of {BIG_ROWS:,}+ rows",
            [
                (r["dataset"], _at_least(r["search"], r["hgb"]), diff(r["search"], r["hgb"]))
                for r in big
            ],
        ),
        check(
            f"search level with FLAML (within {LEVEL})",
            [
                (
                    r["dataset"],
                    _at_least(r["search"], r["flaml"], LEVEL),
                    diff(r["search"], r["flaml"]),
                )
                for r in rows
            ],
        ),
        check(
            "default >= LR/ridge on every table",
            [
                (
                    r["dataset"],
                    _at_least(r["default"], r["linear"]),
                    diff(r["default"], r["linear"]),
                )
                for r in rows
            ],
        ),
    ]


def _tables(args: argparse.Namespace, budget: float, save: Any) -> list[dict[str, Any]]:
    import _quality_tables

    names = args.tables.split(",") if args.tables else list(_quality_tables.TABLES)
    unknown = sorted(set(names) - set(_quality_tables.TABLES))
    if unknown:
        raise SystemExit(
            f"unknown table(s) {', '.join(unknown)}; choose from "
            f"{', '.join(_quality_tables.TABLES)}"
        )
    rows = []
    for name in names:
        print(
            f"{name}: default, search ({budget:.0f} s), baselines, FLAML …",
            file=sys.stderr,
            flush=True,
        )
        child = ["--budget", budget] + (["--quick"] if args.quick else [])
        child += ["--no-flaml"] if args.no_flaml else []
        start = time.perf_counter()
        try:
            row = run_child(__file__, name, *child, what=name, timeout=int(budget * 4 + 1800))
        except Exception as exc:  # noqa: BLE001 - one table failing must not lose the rest
            row = {"section": "tables", "dataset": name, "n": 0, "error": str(exc)[:300]}
            for key in ("default", "search", "hgb", "linear", "forest", "flaml"):
                row[key] = None
        row["wall_s"] = round(time.perf_counter() - start, 1)
        print(f"  {json.dumps(row)}", file=sys.stderr, flush=True)
        rows.append(row)
        save(rows)
    return rows


def _file_section(section: str, budget: float, quick: bool) -> list[dict[str, Any]] | str:
    """The rows of ``_quality_<section>.rows``, or why there are none."""
    try:
        module = importlib.import_module(f"_quality_{section}")
    except ImportError as exc:
        return f"_quality_{section}.py not available ({exc})"
    try:
        return list(module.rows(budget, quick))
    except Exception as exc:  # noqa: BLE001 - report it, keep the other sections
        return f"failed: {type(exc).__name__}: {exc}"


def _print_tables(rows: list[dict[str, Any]], budget: float) -> list[tuple[str, bool, str]]:
    print(f"\nTables (test scores; search and FLAML {budget:.0f} s each)")
    print(format_table(rows, TABLE_COLUMNS))
    for r in rows:
        notes = list(r.get("notes") or []) + ([r["error"]] if r.get("error") else [])
        extra = [f"at {r['commit']}"] if r.get("commit") else []
        if r.get("flaml_best"):
            extra.append(f"FLAML kept {r['flaml_best']}")
        if r.get("search_trials") is not None:
            extra.append(f"search: {r['search_trials']} trials, kept {r.get('search_kept')}")
        if r.get("default_epochs"):
            extra.append(f"default: {r['default_epochs']} epochs")
        if notes or extra:
            print(f"  {r['dataset']}: " + "; ".join(extra + notes))
    goals = verdicts([r for r in rows if not r.get("error")])
    for goal, met, text in goals:
        print(f"{'PASS' if met else 'FAIL'}  {goal}: {text}")
    large = next((r for r in rows if r["dataset"] == LARGE_TABLE and not r.get("error")), None)
    if large:
        print(
            f"Large table ({large['n']:,} rows x {large.get('columns', '?')} columns): default "
            f"training {_fmt(large['default_s'], 1)} s, search {_fmt(large['search_s'], 1)} s "
            f"(budget {budget:.0f} s), peak memory {large.get('peak_mb')} MB"
        )
    return goals


def body(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", choices=(*SECTIONS, "all"), default="all")
    parser.add_argument("--quick", action="store_true", help="small subsets, short budgets")
    parser.add_argument("--tables", default="", help="comma-separated table names")
    parser.add_argument("--budget", type=float, default=0.0, help="seconds per search/FLAML")
    parser.add_argument("--json", default="", help="also write every row to this file")
    parser.add_argument("--no-flaml", action="store_true", help="leave FLAML out")
    parser.add_argument(
        "--show", default="", help="print the tables of earlier --json files (a,b), measure nothing"
    )
    args = parser.parse_args(argv)
    budget = args.budget or (QUICK_BUDGET_S if args.quick else BUDGET_S)
    if args.show:
        saved = [json.loads(Path(f).read_text()) for f in args.show.split(",")]
        rows = [r for s in saved for r in s.get("tables", [])]
        goals = _print_tables(rows, saved[0].get("budget_s", budget))
        met = sum(ok for _, ok, _ in goals)
        return result(NAME, "table goals met", met, f"of {len(goals)}", "", met == len(goals))
    sections = SECTIONS if args.section == "all" else (args.section,)
    out: dict[str, Any] = {"budget_s": budget, "quick": args.quick}

    def save(rows: Any, key: str = "tables") -> None:
        out[key] = rows
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1, default=str))

    goals: list[tuple[str, bool, str]] = []
    if "tables" in sections:
        rows = _tables(args, budget, save)
        goals = _print_tables(rows, budget)
    for section in sections[1:] if sections[0] == "tables" else sections:
        got = _file_section(section, budget, args.quick)
        save(got, section)
        print(f"\n{section.capitalize()}")
        print(got if isinstance(got, str) else format_table(got, FILE_COLUMNS))
        for r in got if not isinstance(got, str) else []:
            if r.get("notes"):
                print(f"  {r['dataset']}: {r['notes']}")
    met = sum(ok for _, ok, _ in goals)
    return result(
        NAME,
        "table goals met",
        met,
        f"of {len(goals)}",
        "search >= HGB (5,000+ rows), level with FLAML, default >= LR/ridge",
        bool(goals) and met == len(goals),
        summary=f"{met}/{len(goals)} table goals; " + "; ".join(t for _, _, t in goals),
        **out,
    )


def child(argv: list[str]) -> int:
    """``--child TABLE [--budget S] [--quick] [--no-flaml]``: one table, one JSON line."""
    from _common import emit
    from _quality_measure import measure_table

    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("--budget", type=float, default=BUDGET_S)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-flaml", action="store_true")
    args = parser.parse_args(argv)
    emit(measure_table(args.table, args.budget, args.quick, flaml=not args.no_flaml))
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return child(sys.argv[2:])
    return run_main(NAME, body)


if __name__ == "__main__":
    raise SystemExit(main())
