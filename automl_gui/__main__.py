"""Entry point: no arguments opens the window; a subcommand runs the engine headless."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the GUI or the command line and return the exit status."""
    import multiprocessing

    multiprocessing.freeze_support()  # the engine process is spawned; frozen apps need this
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"gui", "--smoke-test"}:
        from automl_gui.gui.app import run_app

        return run_app(args[1:] if args and args[0] == "gui" else args)
    from automl_gui.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
