"""The `edgefx` command line.

Each command group lives in its own module under `edgefx.commands` and exposes
``register(subparsers)``; this file only assembles them and turns `EdgefxError` into a clear
message and a non-zero exit instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .errors import EdgefxError

# Order is the order of `edgefx --help`: the pipeline, front to back.
COMMAND_MODULES = [
    "pedals",
    "signal",
    "capture",
    "train",
    "antialias",
    "export",
    "run",
    "aliasing",
    "bench",
    "info",
    "demo",
]

DESCRIPTION = """\
edgefx: neural guitar-pedal models, from capture to pedal hardware.

pipeline:  capture -> train -> anti-alias -> export C/ONNX/TFLite -> run / measure
Every command that prints figures accepts --json. Run `edgefx COMMAND --help` for details."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edgefx",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"edgefx {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"commands.{name}"):
                continue  # a command group not present in this build
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        result = args.func(args)
    except EdgefxError as exc:
        print(f"edgefx {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"edgefx {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
