"""Does the resampler around the 2x-oversampled baseline change its aliasing? FIR against the paper's DFT.

    .venv/bin/python benchmarks/bench_os2_resampling.py --teachers /path/to/kept/teachers [--calib]

The paper converts rates "in the frequency domain" around its 2x-oversampled models (Sec. 4.4);
edgefx's baseline uses a 255-tap Kaiser FIR pair (`edgefx.antialias.oversample`). Both run the
same inner 2x model (LSTM/GRU: state read two samples back; TCN: dilations doubled). This measures
NMR-S of each teacher at 1x, FIR 2x and DFT 2x (`FrequencyDomainOversampled`) over the sine-tone set
at 44.1 kHz, for the bundles kept by `bench_antialias.py --teachers DIR` and, with ``--calib``, the
paper's own Broadcast teachers from ../shared/models/dafx25 (their Table-1 2x figures beside them).
Writes benchmarks/results/os2_resampling.md + .json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edgefx.antialias.evaluate import evaluate_aliasing  # noqa: E402
from edgefx.antialias.oversample import FrequencyDomainOversampled, oversample2x  # noqa: E402
from edgefx.bundle import Bundle  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_antialias import selected  # noqa: E402  (the same --only matching)

RATE = 44100
SHARED = ROOT.parent / "shared" / "models" / "dafx25"
RESULTS = ROOT / "benchmarks" / "results"
PAPER_OS2 = {"Broadcast LSTM": (6.1, -3.4), "Broadcast TCN": (6.5, -2.1)}  # Table 1: teacher, 2x teacher


def teachers(directory: Path | None, calib: bool, only: str | None):
    """(name, model) of each kept teacher bundle in ``directory`` and, with ``calib``, the paper's two."""
    found = []
    if directory is not None:
        for path in sorted(p for p in directory.iterdir() if (p / "manifest.json").exists()):
            found.append((path.name, lambda path=path: Bundle.load(path).load_model()))
    if calib:
        from edgefx.models.loaders import load_guitarml_json, load_nam

        found += [("Broadcast LSTM", lambda: load_guitarml_json(SHARED / "broadcast_lstm_teacher.json")),
                  ("Broadcast TCN", lambda: load_nam(SHARED / "broadcast_tcn_teacher.nam"))]
    return [(n, load) for n, load in found if selected(only, n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", type=Path, default=None, help="a directory of kept teacher bundles")
    ap.add_argument("--calib", action="store_true", help="also the paper's Broadcast LSTM and TCN")
    ap.add_argument("--only", default=None, help="comma-separated substrings of the teachers' names")
    ap.add_argument("--notes-step", type=int, default=2, help="every k-th MIDI note of 21..108 (default 2)")
    ap.add_argument("--tag", default=None, help="suffix of the result files")
    args = ap.parse_args()
    if args.teachers is not None and not args.teachers.is_dir():
        raise SystemExit(f"--teachers {args.teachers}: not a directory")
    chosen = teachers(args.teachers, args.calib, args.only)
    if not chosen:
        raise SystemExit("no teachers: give --teachers DIR (bundles kept by bench_antialias.py) and/or --calib")
    torch.set_num_threads(1)
    kw = {"midi": list(range(21, 109, args.notes_step))}
    rows = []
    started = time.perf_counter()
    for name, load in chosen:
        model = load()
        row = {"teacher": name}
        for label, m in (("1x", model), ("fir", oversample2x(model, compensate=False)),
                         ("dft", FrequencyDomainOversampled(model))):
            t0 = time.perf_counter()
            s = evaluate_aliasing(m, RATE, **kw)["summary"]
            row[label] = {"nmr_s_paper_db": s["nmr_s_paper_db"], "nmr_s_db_mean": s["nmr_s_db_mean"],
                          "seconds": round(time.perf_counter() - t0, 1)}
            print(f"{name} {label}: NMR-S {s['nmr_s_paper_db']:.1f} dB (paper's averaging)", flush=True)
        rows.append(row)
    command = "benchmarks/bench_os2_resampling.py" + "".join(
        f" --{k.replace('_', '-')} {v}" for k, v in (("teachers", args.teachers), ("only", args.only),
                                                       ("notes_step", args.notes_step)) if v is not None
    ) + (" --calib" if args.calib else "")
    stem = "os2_resampling" + (f"_{args.tag}" if args.tag else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps({"command": command, "rows": rows}, indent=1) + "\n")
    lines = [
        "# 2x-oversampled baseline: FIR pair against the paper's DFT resampling",
        "",
        f"Written by `.venv/bin/python {command}` in {(time.perf_counter() - started) / 60:.0f} min. "
        f"NMR-S over MIDI 21-108 every {args.notes_step} at -36/-18/-6 dBFS, 44.1 kHz; paper's averaging "
        "(per level the dB of the mean, then the mean of the levels), mean of dB in brackets.",
        "",
        "| teacher | 1x | 2x, FIR (edgefx) | 2x, DFT (paper's resampling) | DFT - FIR | paper: 1x / 2x |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        paper = PAPER_OS2.get(r["teacher"])
        cells = [f"{r[k]['nmr_s_paper_db']:.1f} ({r[k]['nmr_s_db_mean']:.1f})" for k in ("1x", "fir", "dft")]
        diff = r["dft"]["nmr_s_paper_db"] - r["fir"]["nmr_s_paper_db"]
        lines.append(f"| {r['teacher']} | " + " | ".join(cells) + f" | {diff:+.1f} | "
                     + (f"{paper[0]} / {paper[1]}" if paper else "") + " |")
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS / stem}.md")


if __name__ == "__main__":
    main()
