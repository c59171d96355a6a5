"""`edgefx info BUNDLE`: the bundle's manifest, readable (or as JSON)."""

from __future__ import annotations

import argparse

from ._common import add_json_flag, emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="show a bundle's manifest", description=__doc__)
    p.add_argument("bundle", help="model bundle folder")
    p.add_argument("--no-verify", action="store_true", help="do not check file hashes")
    add_json_flag(p)
    p.set_defaults(func=run)


def _fmt(value, indent: int) -> list[str]:
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v and not _is_flat_list(v):
                lines.append(f"{pad}{k}:")
                lines.extend(_fmt(v, indent + 1))
            else:
                lines.append(f"{pad}{k}: {_short(v)}")
    elif isinstance(value, list):
        for v in value:
            lines.extend(_fmt(v, indent) if isinstance(v, dict) else [f"{pad}- {_short(v)}"])
    return lines


def _is_flat_list(v) -> bool:
    return isinstance(v, list) and all(not isinstance(i, (dict, list)) for i in v)


def _short(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list) and len(v) > 12:
        return f"[{', '.join(map(str, v[:12]))}, ... ({len(v)} items)]"
    return str(v)


def human(m: dict) -> str:
    model = m["model"]
    head = [
        f"bundle      {m.get('name')}  (schema {m.get('schema_version')}, edgefx {m.get('edgefx_version')})",
        f"created     {m.get('created')}",
        f"model       {model.get('arch')}  params {model.get('params')}  MACs/sample {model.get('macs_per_sample')}"
        f"  receptive field {model.get('receptive_field')}",
        f"sample rate {m.get('sample_rate')} Hz",
    ]
    rest = {k: v for k, v in m.items() if k not in {"schema", "schema_version", "name", "created", "edgefx_version",
                                                    "sample_rate"}}
    return "\n".join(head + _fmt(rest, 0))


def run(args: argparse.Namespace) -> int:
    from ..bundle import Bundle

    bundle = Bundle.load(args.bundle, verify=not args.no_verify)
    emit(bundle.manifest, args.json, human)
    return 0
