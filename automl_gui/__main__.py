"""Entry point: no arguments, ``gui [PATH]`` or a dataset or project path opens the window; a
subcommand runs the engine headless."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the GUI or the command line and return the exit status."""
    import multiprocessing

    multiprocessing.freeze_support()  # the engine process is spawned; frozen apps need this
    args = sys.argv[1:] if argv is None else argv
    if opens_window(args):
        from automl_gui.gui.app import run_app

        return run_app(args[1:] if args and args[0] == "gui" else args)
    from automl_gui.cli import main as cli_main

    return cli_main(args)


def opens_window(args: list[str]) -> bool:
    """True when ``args`` ask for the window: nothing, ``gui …``, ``--smoke-test``, or a path
    (``automl-gui data.csv``, ``automl-gui my-project/``, as the README shows): one that
    exists and is not a subcommand's name, or one that reads as a path (a folder separator or
    a suffix: the window then says it is missing). Anything else is the command line's, which
    explains an unknown word itself."""
    if not args or args[0] in {"gui", "--smoke-test"}:
        return True
    first = args[0]
    if first.startswith("-"):
        return False
    if os.sep in first or "/" in first or os.path.splitext(first)[1]:
        return True  # no subcommand has a separator or a suffix
    if not os.path.exists(first):
        return False
    from automl_gui.cli import COMMANDS  # only here: the window starts without the CLI

    return first not in COMMANDS


if __name__ == "__main__":
    sys.exit(main())
