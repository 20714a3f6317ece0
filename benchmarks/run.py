"""Run the benchmarks, each in a fresh subprocess, and print a table.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/run.py            # all (make bench)
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/run.py startup    # one or more
    .venv/bin/python benchmarks/run.py --json results.json                 # also save results

A separate process per benchmark keeps imports cold (startup really starts from nothing) and
memory separate (the 1,000,000-row CSV does not slow the training benchmark). A benchmark whose
pieces are missing, or that fails, shows "not available: <reason>" instead of stopping the rest.
The exit status is 0 when every available benchmark met its target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent

# (short name, module file, timeout in seconds)
BENCHMARKS: list[tuple[str, str, int]] = [
    ("trainer", "bench_trainer_throughput.py", 1200),
    ("ui", "bench_ui_responsiveness.py", 900),
    ("startup", "bench_startup.py", 300),
    ("csv", "bench_csv_load.py", 1800),
    ("image_stream", "bench_image_stream.py", 900),
    ("audio_stream", "bench_audio_stream.py", 900),
    ("gallery", "bench_gallery.py", 600),
    ("cached_features", "bench_cached_features.py", 1200),
    ("automl_quality", "bench_automl_quality.py", 1500),
    ("quality", "bench_quality.py", 10800),
    ("wide_tables", "wide_tables.py", 900),
    ("wide_ui", "bench_wide_ui.py", 1800),
    ("text_quality", "text_quality.py", 900),
    ("text_speed", "text_speed.py", 900),
    ("trust", "bench_trust.py", 1200),
]


def run_one(module: str, timeout: int) -> dict:
    """Run one benchmark module in a subprocess and return its parsed JSON result line."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(BENCH_DIR / module)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=BENCH_DIR.parent,
        )
    except subprocess.TimeoutExpired:
        return {"unavailable": f"timed out after {timeout} s"}
    wall = time.perf_counter() - start
    parsed = None
    for line in reversed(proc.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                parsed = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
    if parsed is None:
        tail = [ln for ln in (proc.stderr or proc.stdout).strip().splitlines() if ln.strip()]
        reason = tail[-1] if tail else f"exit status {proc.returncode}, no output"
        parsed = {"unavailable": f"crashed: {reason[:200]}"}
    parsed["wall_s"] = round(wall, 1)
    if proc.returncode != 0 and "unavailable" in parsed and os.environ.get("BENCH_VERBOSE"):
        sys.stderr.write(proc.stderr)
    return parsed


def _fmt_value(res: dict) -> str:
    value = res["value"]
    unit = res.get("unit", "")
    text = f"{value:.3g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}".strip()


def format_table(rows: list[tuple[str, dict]]) -> str:
    """Plain-text table: name, measured, target, result."""
    header = ("benchmark", "measured", "target", "result")
    lines = []
    for name, res in rows:
        if "unavailable" in res:
            lines.append(
                (name, "–", res.get("target", "–"), f"not available: {res['unavailable']}")
            )
            continue
        measured = res.get("summary") or f"{res.get('metric', '')} {_fmt_value(res)}".strip()
        lines.append((name, measured, res["target"], "pass" if res["passed"] else "FAIL"))
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(3)]
    out = []
    for row in [header, None, *lines]:
        if row is None:
            out.append("  ".join("-" * w for w in widths) + "  ------")
            continue
        out.append(
            "  ".join(str(c).ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks (all by default) and print the table."""
    names = [b[0] for b in BENCHMARKS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "only", nargs="*", metavar="NAME", help=f"any of: {', '.join(names)} (default: all)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(names)}")
    selected = [b for b in BENCHMARKS if not args.only or b[0] in args.only]

    rows: list[tuple[str, dict]] = []
    for name, module, timeout in selected:
        print(f"running {name} ({module}) …", file=sys.stderr, flush=True)
        res = run_one(module, timeout)
        rows.append((name, res))
        if "unavailable" in res:
            print(f"  not available: {res['unavailable']}", file=sys.stderr, flush=True)
        else:
            details = json.dumps(res.get("details", {}), default=str)
            print(f"  {_fmt_value(res)} ({res['wall_s']} s) {details}", file=sys.stderr, flush=True)

    print()
    print(format_table(rows))
    if args.json:
        args.json.write_text(json.dumps(dict(rows), indent=2, default=str) + "\n")
    failed = any("unavailable" not in r and not r["passed"] for _, r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
