"""Using a trained model from the command line: ``predict``, ``export``; and ``info``.

Each checks its ``--out`` before loading anything (``cli._prepare_out``: the replace rule,
leftovers of killed runs, a writable disk), so a bad destination costs no time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from automl_gui.cli import EXIT_ERROR, EXIT_OK, _interruptible, _prepare_out, _read_tabular
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.base.files import atomic_write


def predict_command(args: argparse.Namespace) -> int:
    """``predict MODEL DATA... [--out FILE.csv]``: the model's answers beside the rows (a
    table) or per file (images, audio), written atomically."""
    from automl_gui.core.export.bundle import load_bundle, predict_frame

    first = Path(args.data[0])
    default_name = f"{first.stem or first.name or 'images'}_predictions.csv"
    out = Path(args.out) if args.out else Path.cwd() / default_name
    out = _prepare_out(out, args, [args.model, *args.data], file=True)
    bundle = load_bundle(args.model)
    if bundle.kind in ("images", "audio"):
        if bundle.kind == "images":
            from automl_gui.core.images_pipeline import predict_images as predict
        else:
            from automl_gui.core.audio_pipeline import predict_audio as predict
        frame = _interruptible(CancelToken(), predict, bundle, list(args.data))
        failed = int((frame["error"] != "").sum())
        atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False), make_parents=True)
        print(f"Wrote {len(frame) - failed:,} predictions to {out}")
        if failed:
            print(
                f"warning: {failed} file(s) could not be read; see the 'error' column.",
                file=sys.stderr,
            )
        return EXIT_OK
    if len(args.data) > 1:
        raise ConfigError(
            "A table model predicts one table at a time.", "Give a single CSV/TSV/Parquet file."
        )
    table = _read_tabular(args.data[0])
    frame = predict_frame(bundle, table.df)
    for notice in frame.attrs.get("notices", []):
        print(f"note: {notice}")
    atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False), make_parents=True)
    print(f"Wrote {len(frame):,} predictions to {out}")
    return EXIT_OK


def export_command(args: argparse.Namespace) -> int:
    """``export MODEL --format F --out PATH``: write, reload in the format's runtime,
    compare; exits 1 when the export does not reproduce the model's answers."""
    from automl_gui.core.export.bundle import load_bundle
    from automl_gui.core.export.formats import export_model

    single_file = args.format == "keras" and Path(args.out).suffix == ".keras"
    _prepare_out(Path(args.out), args, [args.model], file=single_file)
    bundle = load_bundle(args.model)
    result = export_model(bundle, args.format, args.out, overwrite=args.overwrite)
    print(f"Wrote {result.format} export to {result.path} ({_size(result.size_bytes)}):")
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


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


def info_command(args: argparse.Namespace) -> int:
    """``info``: versions, compute devices, the training plan and the weights folders."""
    from automl_gui.core.hardware import list_devices, plan_for, versions

    for name, version in versions().items():
        print(f"{name:<14} {version}")
    devices = list_devices()
    print("devices:")
    for device in devices:
        memory = f", {device.memory_bytes / 2**30:.1f} GiB" if device.memory_bytes else ""
        cc = (
            f", compute {device.compute_capability[0]}.{device.compute_capability[1]}"
            if device.compute_capability
            else ""
        )
        print(f"  {device.kind}: {device.name}{memory}{cc}")
    plan = plan_for(devices)
    print(f"training plan: {plan.device_label} ({plan.reason})")
    from automl_gui.core.models.weights import find_weights, search_folders

    print("weights folders (searched in this order):")
    for folder in search_folders():
        print(f"  {folder}{'' if folder.exists() else '  (missing)'}")
    for arch in ("resnet50", "inceptionv3"):
        try:
            found = find_weights(arch)
        except Exception:  # noqa: BLE001 - info never fails on a bad file
            found = None
        print(f"  {arch}: {found if found else 'not found (downloaded when first used)'}")
    return EXIT_OK
