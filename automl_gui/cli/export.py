"""``automl-gui export MODEL --format F --out PATH``: write a trained model in another format,
reload it in that format's runtime and compare its answers with the original's.

``--out`` is checked before loading anything (``_common.prepare_out``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from automl_gui.cli._common import EXIT_ERROR, EXIT_OK, prepare_out
from automl_gui.core.base.units import format_bytes


def add_export_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``export`` subcommand on ``sub`` (argparse subparsers)."""
    export = sub.add_parser("export", help="export a trained model to another format")
    export.add_argument("model", help="a model folder (or its model.keras)")
    export.add_argument(
        "--format",
        required=True,
        type=export_format,
        metavar="FORMAT",
        help="keras, savedmodel, tflite, tflite-dynamic, tflite-float16 or onnx",
    )
    export.add_argument("--out", required=True, help="destination path")
    export.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    return export


def export_command(args: argparse.Namespace) -> int:
    """``export MODEL --format F --out PATH``: write, reload in the format's runtime,
    compare; exits 1 when the export does not reproduce the model's answers."""
    from automl_gui.core.export.bundle import load_bundle
    from automl_gui.core.export.formats import export_model

    single_file = args.format == "keras" and Path(args.out).suffix == ".keras"
    prepare_out(Path(args.out), args, [args.model], file=single_file)
    bundle = load_bundle(args.model)
    result = export_model(bundle, args.format, args.out, overwrite=args.overwrite)
    print(f"Wrote {result.format} export to {result.path} ({format_bytes(result.size_bytes)}):")
    for name in result.files:
        print(f"  {name}")
    print(result.message)
    agreement = "-" if result.agreement is None else f"{result.agreement:.0%}"
    print(f"max difference {result.max_abs_diff:.3g}, agreement {agreement}")
    for note in result.notes:
        print(f"note: {note}")
    if not result.ok:
        print(
            "error: the exported model does not reproduce the original's predictions within "
            "the format's tolerance. Keep using the original model (or the .keras export).",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK


def export_format(text: str) -> str:
    """An argparse type: a key of ``core.export.formats.FORMATS``."""
    from automl_gui.core.export.formats import FORMATS

    key = text.strip().lower()
    if key not in FORMATS:
        raise argparse.ArgumentTypeError(
            f"unknown format '{text}'; choose one of: {', '.join(FORMATS)}"
        )
    return key
