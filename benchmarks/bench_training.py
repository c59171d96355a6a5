"""Training benchmark: the default recipe on the built-in pedals at 48 kHz.

    .venv/bin/python benchmarks/bench_training.py [--quick] [--only lstm-overdrive,...]

Trains LSTM-16 and TCN nano on the overdrive, and LSTM-16 on the fuzz and the distortion (default
knobs, 180 s capture signal, seed 0), and writes a markdown table (model, pedal, test ESR, ESR dB,
epochs, training wall time, CPU time, data time) to benchmarks/results/training.md.

Goals (2-core machine): LSTM-16 on overdrive test ESR <= 0.01 and TCN nano <= 0.02, each within
5 minutes of wall time. Wall time depends on what else runs on the machine, so the CPU time of the
process is reported beside it (with 2 threads CPU time can exceed wall time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from edgefx.models import tcn_preset  # noqa: E402
from edgefx.train import get_recipe, load_training_data, train  # noqa: E402

RUNS = {
    "lstm-overdrive": ("LSTM-16", {"arch": "lstm", "hidden": 16}, "overdrive", 0.01),
    "tcn-overdrive": ("TCN nano", tcn_preset("nano"), "overdrive", 0.02),
    "lstm-fuzz": ("LSTM-16", {"arch": "lstm", "hidden": 16}, "fuzz", None),
    "lstm-distortion": ("LSTM-16", {"arch": "lstm", "hidden": 16}, "distortion", None),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated subset of: " + ",".join(RUNS))
    ap.add_argument("--quick", action="store_true", help="60 s of signal and a 1-minute budget (smoke test)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "training.md"))
    args = ap.parse_args()
    names = args.only.split(",") if args.only else list(RUNS)
    overrides = {"duration_s": 60.0, "max_minutes": 1.0} if args.quick else {}
    recipe = get_recipe("default", **overrides)
    rows, data_cache = [], {}
    tmp = Path(tempfile.mkdtemp(prefix="edgefx-bench-train-"))
    try:
        for name in names:
            label, cfg, pedal, goal = RUNS[name]
            if pedal not in data_cache:
                t = time.perf_counter()
                data_cache[pedal] = (load_training_data(pedal=pedal, rate=48000, duration_s=recipe.duration_s),
                                     time.perf_counter() - t)
            data, data_s = data_cache[pedal]
            print(f"== {label} on {pedal}: {data.describe()}", flush=True)
            cpu0 = time.process_time()
            res = train(data, cfg, tmp / name, recipe=recipe, seed=0, show_progress=sys.stderr.isatty(),
                        report=False, log=lambda m: print("   " + m, flush=True))
            cpu = time.process_time() - cpu0
            m, tr = res.metrics, res.training
            ok = "" if goal is None else (" ✓" if m["esr"] <= goal else f" ✗ (goal {goal})")
            rows.append(f"| {label} | {pedal} | {m['esr']:.4f}{ok} | {m['esr_db']:.1f} | {tr['epochs_run']} "
                        f"(best {tr['best_epoch']}, {tr['stop_reason']}) | {tr['wall_seconds']:.0f} s | {cpu:.0f} s "
                        f"| {data_s:.0f} s |")
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    text = "\n".join([
        "# Training benchmark (default recipe, 48 kHz, seed 0)",
        "",
        f"{dt.datetime.now().isoformat(timespec='minutes')} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cores · torch {torch.__version__} (training on {recipe.threads} thread) · "
        f"load average at the end {load[0]:.1f} · recipe: {recipe.to_dict()}",
        "",
        "| model | pedal | test ESR | ESR dB | epochs | training wall | CPU | data render |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Goals: LSTM-16/overdrive ESR ≤ 0.01, TCN nano/overdrive ≤ 0.02, each ≤ 5 min wall on 2 cores. "
        "Wall time is the training loop (the recipe's budget is "
        f"{recipe.max_minutes} min); evaluation, the data render and the report come on top.",
        "",
    ])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
