"""`edgefx demo [--out demo-out] [--fast]`: the pipeline end to end on the built-in overdrive.

Steps (each says what it does as it goes):
  1. render the standard capture signal through the built-in overdrive
  2. train an LSTM with the default recipe and write a bundle (test figures, plots, report.md)
  3. export C and check it against PyTorch           (if edgefx.codegen is available)
  4. anti-alias fine-tuning                         (if edgefx.antialias.finetune is available)
  5. summary

Later stages add themselves by appending a function to ``STEPS``: each takes the context dict
(``ctx``: args, out, data, bundle, results...) and returns a one-line result (or raises).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._common import add_json_flag, emit

Step = Callable[[dict[str, Any]], str]
SKIPPED = "skipped: not available in this build"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="capture -> train -> export on the built-in overdrive", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="demo-out", help="output folder (default: demo-out)")
    p.add_argument("--fast", action="store_true", help="a shorter signal and run (about a minute)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="replace an existing demo bundle")
    add_json_flag(p)
    p.set_defaults(func=run)


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


# --- steps ------------------------------------------------------------------------------------
def step_data(ctx: dict[str, Any]) -> str:
    """Render the capture signal through the built-in overdrive (default knobs)."""
    from ..train import load_training_data

    duration = 40.0 if ctx["fast"] else ctx["recipe"].duration_s
    ctx["data"] = load_training_data(pedal="overdrive", rate=48000, duration_s=duration)
    return f"overdrive, {ctx['data'].describe()}"


def step_train(ctx: dict[str, Any]) -> str:
    """Train LSTM-16 with the default recipe; write the bundle with plots and report.md."""
    from ..train import train

    result = train(ctx["data"], {"arch": "lstm", "hidden": 16, "skip": True}, ctx["bundle_path"],
                   recipe=ctx["recipe"], seed=ctx["seed"], force=ctx["force"], show_progress=True)
    ctx["bundle"] = result.bundle
    ctx["results"]["train"] = {"test": result.metrics, "epochs_run": result.training["epochs_run"],
                               "wall_seconds": result.training["wall_seconds"]}
    m = result.metrics
    return (f"LSTM-16: test ESR {m['esr']:.4f} ({m['esr_db']:.1f} dB) after {result.training['epochs_run']} epochs, "
            f"{result.training['wall_seconds']:.0f} s -> {result.bundle.path}")


def step_export_c(ctx: dict[str, Any]) -> str:
    """Generate C into the bundle and compare it with PyTorch (edgefx.codegen.export_c)."""
    if not _available("edgefx.codegen"):
        return SKIPPED
    from ..codegen import export_c

    record = export_c(ctx["bundle"])
    ctx["results"]["export_c"] = record
    shown = {k: record[k] for k in ("weight_bytes", "state_bytes", "macs_per_sample") if k in record}
    extra = {k: v for k, v in record.items() if any(w in k for w in ("esr", "realtime", "rtf", "max_abs"))}
    return f"C written to {ctx['bundle'].path / 'c'}: " + ", ".join(f"{k} {v}" for k, v in {**shown, **extra}.items())


def step_antialias(ctx: dict[str, Any]) -> str:
    """Fine-tune the model to alias less (edgefx.antialias.finetune, default recipe)."""
    if not _available("edgefx.antialias.finetune"):
        return SKIPPED
    from ..antialias.finetune import finetune

    model = ctx["bundle"].load_model()
    result = finetune(model, ctx["bundle"].sample_rate, "default", seed=ctx["seed"], progress=True)
    hist = result.history
    ctx["results"]["antialias"] = {"steps": result.steps, "wall_seconds": round(result.wall_time_s, 1)}
    first, last = (hist.get("nmr_db") or [float("nan")])[0], (hist.get("nmr_db") or [float("nan")])[-1]
    return (f"{result.steps} steps in {result.wall_time_s:.0f} s; training NMR {first:.1f} -> {last:.1f} dB "
            "(student kept in memory; use `edgefx antialias` to write an anti-aliased bundle)")


def step_summary(ctx: dict[str, Any]) -> str:
    """Where everything is."""
    b = ctx.get("bundle")
    return f"bundle {b.path}: open {b.path / 'report.md'} and {b.path / 'plots'}/" if b else "no bundle"


STEPS: list[tuple[str, Step]] = [
    ("capture signal through the overdrive", step_data),
    ("train an LSTM", step_train),
    ("export C", step_export_c),
    ("anti-alias fine-tuning", step_antialias),
    ("summary", step_summary),
]


def run(args: argparse.Namespace) -> int:
    from ..train import get_recipe

    def say(msg: str) -> None:
        print(msg, file=sys.stderr if args.json else sys.stdout, flush=True)

    out = Path(args.out)
    recipe = (get_recipe("default", epochs=8, max_minutes=1.0, val_max_s=4.0) if args.fast
              else get_recipe("default", max_minutes=4.0))  # leaves room for export + anti-alias in 10 min
    ctx: dict[str, Any] = {"args": args, "out": out, "fast": args.fast, "seed": args.seed, "force": args.force,
                           "recipe": recipe, "bundle_path": out / "overdrive-lstm16", "results": {}}
    t0 = time.perf_counter()
    steps = []
    for i, (title, func) in enumerate(STEPS, 1):
        say(f"[{i}/{len(STEPS)}] {title}: {(func.__doc__ or '').strip().splitlines()[0]}")
        t = time.perf_counter()
        line = func(ctx)
        say(f"      {line}  ({time.perf_counter() - t:.1f} s)")
        steps.append({"step": title, "result": line, "seconds": round(time.perf_counter() - t, 1)})
    result = {"out": str(out), "steps": steps, "results": ctx["results"],
              "total_seconds": round(time.perf_counter() - t0, 1)}
    emit(result, args.json, lambda r: f"demo done in {r['total_seconds']:.0f} s")
    return 0
