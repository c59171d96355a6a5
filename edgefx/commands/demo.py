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
    """Generate C, ONNX and TFLite into the bundle; check the C against PyTorch and time it."""
    if not _available("edgefx.codegen"):
        return SKIPPED
    import numpy as np

    from ..engines import open_engine, run_blocks
    from ..signals.guitar import guitar_phrase
    from .export import export

    bundle = ctx["bundle"]
    record = export(bundle, ["c", "onnx", "tflite"])
    x = guitar_phrase(10.0, bundle.sample_rate, seed=7)
    ref = run_blocks(open_engine("torch", bundle), x, None)
    figures: dict[str, Any] = {"flash_bytes": record["c"].get("flash_bytes"), "state_bytes": record["c"]["state_bytes"]}
    for name in ("c", "c-fast"):
        engine = open_engine(name, bundle)
        y = run_blocks(engine, x, 48)  # warm-up and the comparison
        seconds = min(_timed(lambda e=engine: run_blocks(e, x, 48)) for _ in range(3))
        figures[name] = {"max_abs_error_vs_torch": float(np.max(np.abs(y - ref))),
                         "realtime_factor": round(len(x) / bundle.sample_rate / seconds, 1)}
    ctx["results"]["export"] = figures
    c, fast = figures["c"], figures["c-fast"]
    return (f"C/ONNX/TFLite in {bundle.path}; C vs PyTorch on 10 s of guitar in 48-sample blocks: "
            f"max |error| {c['max_abs_error_vs_torch']:.1e} (fast math {fast['max_abs_error_vs_torch']:.1e}); "
            f"real-time factor {c['realtime_factor']}x exact, {fast['realtime_factor']}x fast "
            f"(called from Python, one core); Cortex-M7 flash {figures['flash_bytes']} B, "
            f"state {figures['state_bytes']} B")


def _timed(func: Callable[[], Any]) -> float:
    t = time.perf_counter()
    func()
    return time.perf_counter() - t


def step_antialias(ctx: dict[str, Any]) -> str:
    """Fine-tune against aliasing into a new bundle; NMR-S before and after (edgefx.antialias)."""
    if not _available("edgefx.antialias.finetune"):
        return SKIPPED
    from ..antialias.finetune import finetune_bundle, get_recipe

    # 300 steps (the default recipe runs 4,000: minutes, not a demo step) and a third of the notes
    # at the three levels keep this step to about two minutes.
    recipe = get_recipe("default", steps=300, eval_midi=list(range(21, 109, 3)))
    student = finetune_bundle(ctx["bundle"], ctx["out"] / "overdrive-lstm16-aa", recipe, seed=ctx["seed"],
                              overwrite=ctx["force"])
    aa = student.manifest["antialias"]
    before, after = aa["before"]["nmr_s_db_mean"], aa["after"]["nmr_s_db_mean"]
    ctx["results"]["antialias"] = {"bundle": str(student.path), "steps": aa["steps"],
                                   "nmr_s_db_mean_before": before, "nmr_s_db_mean_after": after}
    return (f"{aa['steps']} steps in {aa['wall_time_s']:.0f} s -> {student.path}; NMR-S (mean of dB over "
            f"{aa['eval_set']['tones']} tones) {before:.1f} -> {after:.1f} dB")


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
