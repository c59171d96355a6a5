"""`edgefx export BUNDLE --format c,onnx,tflite`: add generated C, ONNX and TFLite to a bundle."""

from __future__ import annotations

import argparse
import importlib

from ..errors import ConfigError
from ._common import add_json_flag, emit

# format -> (module, function(bundle, **options) -> dict summary)
FORMATS = {
    "c": ("edgefx.codegen", "export_c"),
    "onnx": ("edgefx.interop.onnx_export", "export_onnx"),
    "tflite": ("edgefx.interop.tflite_export", "export_tflite"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="generate C / ONNX / TFLite into a bundle", description=__doc__)
    p.add_argument("bundle", help="model bundle folder")
    p.add_argument("--format", default="c", help="comma-separated: " + ",".join(FORMATS) + " (default: c)")
    add_json_flag(p)
    p.set_defaults(func=run)


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"unknown export format {', '.join(unknown) or repr(text)}; choose from {', '.join(FORMATS)}")
    return formats


def export(bundle, formats: list[str]) -> dict:
    results = {}
    for fmt in formats:
        module, func = FORMATS[fmt]
        results[fmt] = getattr(importlib.import_module(module), func)(bundle)
    return results


def run(args: argparse.Namespace) -> int:
    from ..bundle import Bundle

    formats = parse_formats(args.format)
    bundle = Bundle.load(args.bundle)
    results = export(bundle, formats)
    emit({"bundle": bundle.name, "exports": results}, args.json)
    return 0
