"""Reproduction benchmark for anti-aliasing fine-tuning (Carson et al., DAFx 2025, Table 1).

    .venv/bin/python benchmarks/bench_antialias.py --quick          # minutes: few models, few steps
    .venv/bin/python benchmarks/bench_antialias.py --part calib     # (a) the paper's two real teachers
    .venv/bin/python benchmarks/bench_antialias.py                  # (a) + (b), CPU-sized full mode

(a) Calibration: the paper's Broadcast LSTM-40 (GuitarML JSON) and Broadcast TCN (.nam) from
    ../shared/models/dafx25 at 44.1 kHz: NMR-S and ESR-S over the evaluation set (MIDI 21-108 at
    -36/-18/-6 dBFS), as mean of dB, dB of mean and the paper's averaging (per level the dB of the
    mean, then the mean over levels), overall and per level, beside the paper's
    teacher figures; then the default fine-tuning recipe and the student's figures beside the paper's
    students, and the 2x-oversampled teacher.
(b) Our teachers, trained with edgefx.train on the built-in fuzz and distortion at drive 1, 44.1 kHz
    (LSTM-40 and NAM-standard-like TCN as in the paper, plus deployable LSTM-12/16 and TCN nano),
    fine-tuned with the default recipe: NMR-S teacher -> student, NMR-S of the 2x-oversampled
    teacher, ESR-S, ESR-T/NMR-T/HESR-T, -R metrics and guitar-audio ESR / MR-STFT against the
    alias-free reference pedal (rendered at 32x, or at the pedal's own heavier factor: the fuzz at 64x).

(c) `--part pedals`: how much of each reference pedal's output on the tones lies above 22.05 kHz
    (`edgefx.antialias.evaluate.above_nyquist_share`, rendered at 4x): what a 1x model that matched
    the pedal exactly would have to fold back. It tells which teachers can alias at all. Written to
    benchmarks/results/antialias_pedals.md + .json; `--knob` adds a setting to the default list.

Writes benchmarks/results/antialias.md + .json (quick: antialias_quick.*). Results are written after
every model, so an interrupted run keeps what it measured. Torch runs on one thread (faster for
these tiny models; see edgefx.threads).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edgefx.antialias.evaluate import (  # noqa: E402
    above_nyquist_share,
    evaluate_aliasing,
    evaluate_guitar,
    pedal_reference,
    reference_oversample,
)
from edgefx.antialias.finetune import LR_SCHEDULES, NMR_MEANS, finetune, get_recipe, save_student  # noqa: E402
from edgefx.antialias.oversample import oversample2x  # noqa: E402
from edgefx.audio import db  # noqa: E402
from edgefx.commands.antialias import parse_amp_db  # noqa: E402
from edgefx.errors import ConfigError  # noqa: E402
from edgefx.train.recipes import RECIPES as TRAIN_RECIPES  # noqa: E402
from edgefx.train.recipes import Recipe as TrainRecipe  # noqa: E402
from edgefx.train.recipes import get_recipe as train_recipe  # noqa: E402

RATE = 44100
SHARED = ROOT.parent / "shared" / "models" / "dafx25"
RESULTS = ROOT / "benchmarks" / "results"
# Paper Table 1 (dB): teacher NMR-S, ESR-S, 2x OS teacher NMR-S, student NMR-S, ESR-S, ESR-T, NMR-T, HESR-T
PAPER = {
    "Broadcast LSTM": {"t_nmr_s": 6.1, "t_esr_s": -25.5, "os2_nmr_s": -3.4, "s_nmr_s": -16.7, "s_esr_s": -34.7,
                       "s_esr_t": -19.2, "s_nmr_t": -12.6, "s_hesr_t": -21.3},
    "Broadcast TCN": {"t_nmr_s": 6.5, "t_esr_s": -34.6, "os2_nmr_s": -2.1, "s_nmr_s": -18.2, "s_esr_s": -49.3,
                      "s_esr_t": -11.8, "s_nmr_t": -1.8, "s_hesr_t": -13.4},
}


def per_level(res: dict, metric: str) -> dict[str, list[float]]:
    """{level: [mean of dB, dB of mean]} of a per-tone metric (the paper's figure is the mean over
    levels of the second entries, see `paper_avg`)."""
    pt = res["per_tone"]
    lv = np.asarray(pt["level_db"])
    v = np.asarray(pt[f"{metric}_db"])
    out = {}
    for level in sorted(set(lv.tolist())):
        sel = v[lv == level]
        out[f"{level:g}"] = [float(np.mean(sel)), float(db(np.mean(10 ** (sel / 10))))]
    return out


def selected(only: str | None, name: str) -> bool:
    """Whether ``name`` passes ``--only`` (a substring, or comma-separated substrings; None: all)."""
    return not only or any(part.strip().lower() in name.lower() for part in only.split(",") if part.strip())


def slug(name: str) -> str:
    """A row's folder name: "fuzz LSTM-40" -> "fuzz-lstm-40"."""
    return name.replace(" ", "-").lower()


def keep_student(students: Path, name: str, student, recipe, steps: int) -> Path:
    """Write a fine-tuned student as a bundle in ``students``/<slug> (replacing an earlier run's), so
    it can be inspected afterwards (`edgefx aliasing`, `edgefx run`) instead of being thrown away;
    the manifest is `edgefx antialias`'s (`save_student`)."""
    path = students / slug(name)
    save_student(path, student, RATE, name, recipe, steps, name=f"{slug(name)}-aa", overwrite=True)
    return path


def measure(name: str, teacher, recipe, eval_kw: dict, reference=None, seed: int = 0,
            students: Path | None = None) -> dict:
    """Teacher, fine-tuned student and 2x-oversampled teacher over the tone set (+ guitar audio); with
    ``students``, the student is also kept there as a bundle (`keep_student`)."""
    row: dict = {"model": name, "params": teacher.num_params}
    t0 = time.perf_counter()
    tres = evaluate_aliasing(teacher, RATE, reference_fn=reference, **eval_kw)
    row["teacher"] = tres["summary"]
    row["teacher_per_level"] = {m: per_level(tres, m) for m in ("nmr_s", "esr_s")}
    row["eval_s"] = round(time.perf_counter() - t0, 1)
    print(f"[{name}] teacher NMR-S {tres['summary']['nmr_s_db_mean']:.1f} dB (mean of dB), "
          f"{tres['summary']['nmr_s_mean_db']:.1f} dB (dB of mean); eval {row['eval_s']} s", flush=True)
    os2 = evaluate_aliasing(oversample2x(teacher, compensate=False), RATE, **eval_kw)
    row["os2_teacher"] = os2["summary"]
    row["os2_teacher_per_level"] = {m: per_level(os2, m) for m in ("nmr_s", "esr_s")}
    ft = finetune(teacher, RATE, recipe, seed=seed)  # progress on stderr: every 30 s into a log
    row["finetune"] = {"steps": ft.steps, "wall_time_s": round(ft.wall_time_s, 1),
                       "s_per_step": round(ft.seconds_per_step, 3), "recipe": ft.recipe.to_dict(),
                       "history_nmr_db": [round(v, 2) for v in ft.history["nmr_db"]]}
    if students is not None:
        row["finetune"]["student_bundle"] = str(keep_student(students, name, ft.student, ft.recipe, ft.steps))
    sres = evaluate_aliasing(ft.student, RATE, teacher=teacher, reference_fn=reference, **eval_kw)
    row["student"] = sres["summary"]
    row["student_per_level"] = {m: per_level(sres, m) for m in ("nmr_s", "esr_s")}
    if reference is not None:
        row["guitar_teacher"] = evaluate_guitar(teacher, RATE, reference)
        row["guitar_student"] = evaluate_guitar(ft.student, RATE, reference)
    print(f"[{name}] student NMR-S {sres['summary']['nmr_s_db_mean']:.1f} dB after {ft.steps} steps "
          f"({ft.wall_time_s:.0f} s); OS2 teacher {os2['summary']['nmr_s_db_mean']:.1f} dB", flush=True)
    return row


def calibration(recipe, eval_kw: dict, only: str | None = None, students: Path | None = None):
    from edgefx.models.loaders import load_guitarml_json, load_nam

    if not SHARED.is_dir():
        print(f"skipping calibration: {SHARED} not found", flush=True)
        return
    for name, loader, file in (("Broadcast LSTM", load_guitarml_json, "broadcast_lstm_teacher.json"),
                               ("Broadcast TCN", load_nam, "broadcast_tcn_teacher.nam")):
        if not selected(only, name):
            continue
        row = measure(name, loader(SHARED / file), recipe, eval_kw, students=students)
        row["paper"] = PAPER[name]
        yield row


# The paper's teachers are high-gain amps and pedals; at drive 1 our distortion rendered naively at
# 1x aliases about as much as they do (NMR-S 6.8 dB by the paper's averaging; at the default drive
# 0.5: 1.5 dB), so a teacher that fits it well aliases like theirs. At drive 1 the fuzz puts about
# as much of its output above Nyquist as the distortion (`--part pedals`).
TEACHER_KNOBS = {"drive": 1.0}


def teacher_knobs(settings: list[str] | None) -> dict[str, float]:
    """TEACHER_KNOBS with ``NAME=VALUE`` overrides (e.g. ``tone=1``) from the command line."""
    knobs = dict(TEACHER_KNOBS)
    for item in settings or []:
        name, _, value = item.partition("=")
        try:
            if not name.strip():
                raise ValueError
            knobs[name.strip()] = float(value)
        except ValueError:
            raise SystemExit(f"--knob expects NAME=VALUE with a number, e.g. tone=1; got {item!r}") from None
    return knobs


def load_teacher(path: Path, pedal: str, knobs: dict[str, float], train_seconds: float,
                 target_sha256: str | None = None):
    """A teacher kept by an earlier run with --teachers: (model, test metrics), or None when ``path``
    holds no bundle. A bundle trained on another pedal, other knobs, another signal length or (given
    ``target_sha256``, the hash of this run's rendered target) another rendering of the pedal is an
    error (its figures would not belong to this run)."""
    from edgefx.bundle import Bundle

    if not (path / "manifest.json").exists():
        return None
    bundle = Bundle.load(path)
    source = bundle.manifest.get("training", {}).get("source", {})
    seconds = source.get("signal", {}).get("duration_s")
    if source.get("pedal") != pedal or source.get("knobs") != knobs or seconds != train_seconds:
        raise SystemExit(f"{path}: this teacher was trained on {source.get('pedal')!r} with knobs "
                         f"{source.get('knobs')} and {seconds} s of signal, not {pedal!r} with {knobs} and "
                         f"{train_seconds:g} s; give --teachers another directory")
    if target_sha256 is not None and source.get("y_sha256") != target_sha256:
        raise SystemExit(f"{path}: this teacher was trained on another rendering of {pedal!r} (target sha256 "
                         f"{str(source.get('y_sha256'))[:12]}, now {target_sha256[:12]}): the pedal's design "
                         "has changed since; give --teachers another directory")
    return bundle.load_model(), bundle.manifest.get("metrics", {}).get("test", {})


def ours(models: list[tuple[str, str, dict]], recipe, eval_kw: dict, teacher_recipe: TrainRecipe,
         knobs: dict[str, float] = TEACHER_KNOBS, teachers: Path | None = None, students: Path | None = None):
    """Part (b) rows; each teacher is trained with ``teacher_recipe`` on its ``duration_s`` seconds of
    capture signal. With ``teachers``, each teacher bundle is kept there and reused by later runs
    (so recipes can be compared on the same teacher: a training budget in minutes is not
    reproducible across machines). With ``students``, each fine-tuned student is kept there too."""
    from edgefx.train import load_training_data, train

    train_seconds = teacher_recipe.duration_s

    data_cache: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pedal, label, config in models:
            path = (teachers or Path(tmp)) / slug(f"{pedal} {label}")
            t0 = time.perf_counter()
            if pedal not in data_cache:
                data_cache[pedal] = load_training_data(pedal=pedal, knobs=knobs, rate=RATE, duration_s=train_seconds)
            target = data_cache[pedal].source["y_sha256"]
            kept = load_teacher(path, pedal, knobs, train_seconds, target) if teachers else None
            if kept:
                teacher, test_metrics = kept
                print(f"[{pedal} {label}] reusing the teacher in {path}", flush=True)
            else:
                tr = train(data_cache[pedal], config, path, recipe=teacher_recipe, show_progress=False, report=False)
                teacher, test_metrics = tr.bundle.load_model(), tr.metrics
            row = measure(f"{pedal} {label}", teacher, recipe, eval_kw, reference=pedal_reference(pedal, knobs),
                          students=students)
            row["train"] = {"minutes": round((time.perf_counter() - t0) / 60, 2), "knobs": knobs,
                            "test_metrics": {k: v for k, v in test_metrics.items() if isinstance(v, (int, float))}}
            if kept:
                row["train"]["reused"] = str(path)
            yield row


# The teachers' pedal settings of the README tables (part b), plus the gentle overdrive for contrast.
PEDAL_SETTINGS = [("distortion", TEACHER_KNOBS), ("distortion", {**TEACHER_KNOBS, "boost": 1.0}),
                  ("fuzz", TEACHER_KNOBS), ("fuzz", {**TEACHER_KNOBS, "tone": 1.0}), ("overdrive", TEACHER_KNOBS)]


def pedal_shares(settings: list[tuple[str, dict]], eval_kw: dict, command: str, path_md: Path,
                 path_json: Path) -> list[dict]:
    """Part (c): the above-Nyquist share of each pedal setting, written as a table (see the docstring)."""
    rows = []
    for pedal, knobs in settings:
        t0 = time.perf_counter()
        # a quarter of the tables' alias-free factor inside a 4x render: the same internal rate
        ref = pedal_reference(pedal, knobs, oversample=reference_oversample(pedal, knobs) // 4)
        res = above_nyquist_share(ref, RATE, factor=4, **eval_kw)
        per_level_db = {g: both[1] for g, both in per_level(res, "share").items()}  # dB of the mean
        rows.append({"pedal": pedal, "knobs": knobs, **res["summary"], "per_level_db": per_level_db,
                     "seconds": time.perf_counter() - t0})
        print(f"{pedal} {knobs}: {res['summary']['share_paper_db']:.1f} dB above Nyquist (paper's averaging)")
    path_json.write_text(json.dumps({"rate": RATE, "rows": rows}, indent=1) + "\n")
    levels = list(rows[0]["per_level_db"]) if rows else []
    lines = [
        "# Reference pedals: output energy above the model's Nyquist frequency",
        "",
        f"Share of each alias-free reference pedal's output energy above {RATE / 2000:g} kHz on the evaluation "
        "tones (rendered at 4x the rate, last 0.4 s of 0.6 s tones): what a 1x model matching the pedal exactly "
        "would fold back as aliases. Paper's averaging = per input level the dB of the mean over notes, then the "
        "mean over levels (as NMR-S in the tables).",
        "",
        f"Command: `.venv/bin/python {command}`",
        "",
        "| pedal | knobs | paper's averaging, dB | mean of dB | dB of mean | "
        + " | ".join(f"at {g} dBFS, dB of mean" for g in levels) + " |",
        "|---|---|---:|---:|---:|" + "---:|" * len(levels),
    ]
    for r in rows:
        knobs = ", ".join(f"{k} {v:g}" for k, v in r["knobs"].items())
        lines.append(f"| {r['pedal']} | {knobs} | {r['share_paper_db']:.1f} | {r['share_db_mean']:.1f} | "
                     f"{r['share_mean_db']:.1f} | " + " | ".join(f"{r['per_level_db'][g]:.1f}" for g in levels) + " |")
    path_md.write_text("\n".join(lines) + "\n")
    return rows


def fmt(v) -> str:
    return "—" if v is None else f"{v:.1f}"


def paper_avg(row: dict, role: str, metric: str) -> float | None:
    """The paper's Table-1 averaging of ``metric`` for ``role`` ("teacher", "student", "os2_teacher"):
    (1/G) Σ_levels (dB of the mean over that level's tones). Read from the summary when it has
    ``<metric>_paper_db``; otherwise (result files written before that key existed) recomputed from
    the stored per-level figures; None when neither is there."""
    s = row.get(role, {})
    if f"{metric}_paper_db" in s:
        return float(s[f"{metric}_paper_db"])
    pl = row.get(f"{role}_per_level", {}).get(metric)
    if not pl:
        return None
    return float(np.mean([v[1] for v in pl.values()]))


def command_line(args) -> str:
    """The benchmark command that reproduces a run (options left at their defaults omitted)."""
    parts = ["benchmarks/bench_antialias.py"] + (["--quick"] if args.quick else [])
    if args.part != "all":
        parts += ["--part", args.part]
    for opt in ("only", "steps", "lr", "lam", "lr_schedule", "nmr_mean", "amp_db", "train_minutes", "train_seconds",
                "train_epochs", "train_recipe", "teachers"):
        value = getattr(args, opt, None)  # result files from older versions lack the newer options
        if value is not None and opt == "amp_db":
            parts.append(f"--amp-db={value}")  # "-40,0" as a separate word would read as an option
        elif value is not None:
            shown = f"'{value}'" if opt in ("only", "teachers") else value if isinstance(value, str) else f"{value:g}"
            parts += [f"--{opt.replace('_', '-')}", shown]
    if args.notes_step != (6 if args.quick else 1):
        parts += ["--notes-step", str(args.notes_step)]
    for item in getattr(args, "knob", None) or []:
        parts += ["--knob", item]
    return " ".join(parts)


def write_report(rows: list[dict], args, path_md: Path, path_json: Path, started: float) -> None:
    minutes = (time.perf_counter() - started) / 60
    path_json.write_text(json.dumps({"args": vars(args), "minutes": minutes, "rows": rows}, indent=1) + "\n")
    lines = [
        "# Anti-aliasing fine-tuning: reproduction of Carson et al. (DAFx 2025), Table 1",
        "",
        f"Written by `{command_line(args)}` in {minutes:.0f} min "
        "on a shared 2-core CPU (torch, 1 thread). 44.1 kHz. Sine-tone metrics over the last second of each tone; "
        f"notes MIDI 21–108 every {args.notes_step} at −36/−18/−6 dBFS. Each cell: "
        "mean of dB / dB of mean / **paper** (per input level the dB of the mean over the tones, then the "
        "arithmetic mean of the three level figures; Table 1's caption says \"arithmetic mean over all input f0 "
        "and amplitude\"; the last section shows which reading fits).",
        "",
        "| model | role | NMR-S | 2× OS NMR-S | ESR-S | ESR-T | NMR-T | HESR-T | NMR-R | guitar ESR "
        "| guitar MR-STFT | steps (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def cell(r: dict, role: str, m: str) -> str:
        s = r.get(role, {})
        if f"{m}_db_mean" not in s:
            return "—"
        pa = paper_avg(r, role, m)
        return f"{s[f'{m}_db_mean']:.1f} / {s[f'{m}_mean_db']:.1f} / " + ("—" if pa is None else f"**{pa:.1f}**")

    for r in rows:
        gt, gs = r.get("guitar_teacher", {}), r.get("guitar_student", {})
        ft = r["finetune"]
        lines.append(f"| {r['model']} ({r['params']} p) | teacher | {cell(r, 'teacher', 'nmr_s')} | "
                     f"{cell(r, 'os2_teacher', 'nmr_s')} | "
                     f"{cell(r, 'teacher', 'esr_s')} | — | — | — | {cell(r, 'teacher', 'nmr_r')} | "
                     f"{fmt(gt.get('guitar_esr_db'))} | {fmt(gt.get('guitar_mrstft'))} | |")
        lines.append(f"| | student | {cell(r, 'student', 'nmr_s')} | | {cell(r, 'student', 'esr_s')} | "
                     f"{cell(r, 'student', 'esr_t')} | {cell(r, 'student', 'nmr_t')} | "
                     f"{cell(r, 'student', 'hesr_t')} | {cell(r, 'student', 'nmr_r')} | "
                     f"{fmt(gs.get('guitar_esr_db'))} | "
                     f"{fmt(gs.get('guitar_mrstft'))} | {ft['steps']} ({ft['wall_time_s']:.0f}) |")
        if "paper" in r:
            p = r["paper"]
            lines.append(f"| | paper teacher | {p['t_nmr_s']} | {p['os2_nmr_s']} | {p['t_esr_s']} | | | | | | | |")
            lines.append(f"| | paper student | {p['s_nmr_s']} | | {p['s_esr_s']} | {p['s_esr_t']} | "
                         f"{p['s_nmr_t']} | {p['s_hesr_t']} | | | | 40k |")
    cal = [r for r in rows if "paper" in r]
    if cal:
        lines += ["", "## Calibration per input level (teacher; mean of dB / dB of mean)", "",
                  "The paper's averaging is the mean of the per-level dB-of-mean figures.", "",
                  "| model | metric | " + " | ".join(f"{k} dBFS" for k in cal[0]["teacher_per_level"]["nmr_s"])
                  + " | all | paper's averaging | paper |",
                  "|---|---|" + "---|" * (len(cal[0]["teacher_per_level"]["nmr_s"]) + 3)]
        for r in cal:
            for m, key in (("nmr_s", "t_nmr_s"), ("esr_s", "t_esr_s")):
                pl = r["teacher_per_level"][m]
                lines.append(f"| {r['model']} | {m.upper().replace('_', '-')} | "
                             + " | ".join(f"{a:.1f} / {b:.1f}" for a, b in pl.values())
                             + f" | {r['teacher'][f'{m}_db_mean']:.1f} / {r['teacher'][f'{m}_mean_db']:.1f}"
                             f" | **{fmt(paper_avg(r, 'teacher', m))}** | {r['paper'][key]} |")
        lines += ["", "## Which averaging matches the paper", "",
                  "Each cell: ours (difference from the paper). Student rows compare our default recipe's "
                  "short fine-tune with the paper's 40k steps, so only the teacher and 2× OS rows are like for like.",
                  "", "| model | figure | paper | mean of dB | dB of mean | per level dB of mean, then mean |",
                  "|---|---|---|---|---|---|"]
        figures = (("teacher NMR-S", "teacher", "nmr_s", "t_nmr_s"), ("teacher ESR-S", "teacher", "esr_s", "t_esr_s"),
                   ("2× OS teacher NMR-S", "os2_teacher", "nmr_s", "os2_nmr_s"),
                   ("student NMR-S", "student", "nmr_s", "s_nmr_s"), ("student ESR-S", "student", "esr_s", "s_esr_s"),
                   ("student ESR-T", "student", "esr_t", "s_esr_t"), ("student NMR-T", "student", "nmr_t", "s_nmr_t"),
                   ("student HESR-T", "student", "hesr_t", "s_hesr_t"))
        for r in cal:
            for label, role, m, key in figures:
                p = r["paper"][key]
                a, b, c = r[role][f"{m}_db_mean"], r[role][f"{m}_mean_db"], paper_avg(r, role, m)
                third = "—" if c is None else f"{c:.1f} ({c - p:+.1f})"
                lines.append(f"| {r['model']} | {label} | {p} | {a:.1f} ({a - p:+.1f}) | {b:.1f} ({b - p:+.1f}) "
                             f"| {third} |")

        def drop(r: dict) -> str:
            pt, ps = paper_avg(r, "teacher", "nmr_s"), paper_avg(r, "student", "nmr_s")
            by_paper = "" if pt is None or ps is None else f", {ps - pt:+.1f} dB by the paper's averaging"
            return (f"{r['model']} {r['student']['nmr_s_db_mean'] - r['teacher']['nmr_s_db_mean']:+.1f} dB "
                    f"(mean of dB){by_paper} after {r['finetune']['steps']} steps "
                    f"(paper {r['paper']['s_nmr_s'] - r['paper']['t_nmr_s']:+.1f} dB after 40k)")

        lines += ["", "Drop of NMR-S, teacher → student: " + "; ".join(drop(r) for r in cal)]
    path_md.write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="few models, few steps, a coarse tone set")
    ap.add_argument("--part", choices=["calib", "ours", "pedals", "all"], default="all",
                    help="calib: the paper's teachers; ours: teachers trained here; pedals: the reference pedals' "
                         "energy above Nyquist (all = calib + ours)")
    ap.add_argument("--steps", type=int, default=None, help="fine-tuning steps (default: recipe's; quick 60)")
    ap.add_argument("--lr", type=float, default=None, help="fine-tuning learning rate (default: recipe's)")
    ap.add_argument("--lam", type=float, default=None,
                    help="fine-tuning NMR weight lambda, beside the ESR weight 0.5 (default: 0.5 recurrent, 0.1 TCN)")
    ap.add_argument("--lr-schedule", choices=LR_SCHEDULES, default=None,
                    help="fine-tuning learning-rate schedule (default: recipe's)")
    ap.add_argument("--nmr-mean", choices=NMR_MEANS, default=None,
                    help="fine-tuning NMR loss over a batch: geometric (default) or arithmetic mean")
    ap.add_argument("--amp-db", default=None, metavar="LO,HI",
                    help="fine-tuning tone levels log-uniform in [LO, HI] dBFS, written --amp-db=-40,0 "
                         "(default: amplitude U(0, 1))")
    ap.add_argument("--notes-step", type=int, default=None, help="every k-th MIDI note (default 1; quick 6)")
    ap.add_argument("--only", default=None,
                    help="only models whose name contains this, or any of these comma-separated names "
                         "(e.g. LSTM, or 'distortion LSTM-40,distortion LSTM-16')")
    ap.add_argument("--train-minutes", type=float, default=None,
                    help="part (b): teacher training budget per model (default 4; quick 1)")
    ap.add_argument("--train-epochs", type=int, default=None,
                    help="part (b): teacher training's epoch cap (default: the training recipe's, 40); "
                         "with a larger --train-minutes, lets a teacher fit longer")
    ap.add_argument("--train-recipe", choices=tuple(TRAIN_RECIPES), default=None,
                    help="part (b): the teachers' training recipe (edgefx.train.recipes; default: default). "
                         "'paper' is Wright et al.'s (Adam 5e-4, batch 50, patience 20), capped by --train-minutes")
    ap.add_argument("--train-seconds", type=float, default=None,
                    help="part (b): seconds of capture signal to train the teachers on (default 90; quick 40)")
    ap.add_argument("--knob", action="append", default=None, metavar="NAME=VALUE",
                    help=f"part (b): a teacher pedal setting over the defaults {TEACHER_KNOBS} (repeatable), "
                         "e.g. --knob tone=1 for a brighter pedal, --knob boost=1 for 20 dB of boost in front")
    ap.add_argument("--teachers", default=None, metavar="DIR",
                    help="part (b): keep each teacher bundle in DIR and reuse it when a later run finds it "
                         "there (compare recipes on the same teacher)")
    ap.add_argument("--students", default=None, metavar="DIR",
                    help="keep each fine-tuned student as a bundle in DIR, one folder per row (e.g. "
                         "DIR/fuzz-lstm-40, DIR/broadcast-lstm), for `edgefx aliasing` or `edgefx run` "
                         "afterwards; by default students are not kept")
    ap.add_argument("--from-json", default=None, help="only re-render the markdown of a saved result JSON")
    ap.add_argument("--tag", default=None, help="suffix of the result files")
    args = ap.parse_args()
    if args.train_epochs is not None and args.train_epochs < 1:
        ap.error(f"--train-epochs must be at least 1 (got {args.train_epochs})")
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        old = argparse.Namespace(**saved["args"])
        write_report(saved["rows"], old, Path(args.from_json).with_suffix(".md"), Path(args.from_json),
                     time.perf_counter() - saved.get("minutes", 0) * 60)
        return
    if args.notes_step is None:
        args.notes_step = 6 if args.quick else 1
    torch.set_num_threads(1)
    recipe = get_recipe("default", steps=args.steps or (60 if args.quick else None), lr=args.lr,
                        lr_schedule=args.lr_schedule, nmr_mean=args.nmr_mean, amp_db_range=parse_amp_db(args.amp_db),
                        **({} if args.lam is None else {"w_nmr": args.lam}))
    eval_kw = {"midi": list(range(21, 109, args.notes_step))}
    if args.part == "pedals":
        settings = PEDAL_SETTINGS + ([("distortion", teacher_knobs(args.knob)), ("fuzz", teacher_knobs(args.knob))]
                                     if args.knob else [])
        stem = "antialias_pedals" + (f"_{args.tag}" if args.tag else "")
        RESULTS.mkdir(parents=True, exist_ok=True)
        pedal_shares(settings, eval_kw, command_line(args), RESULTS / f"{stem}.md", RESULTS / f"{stem}.json")
        print(f"wrote {RESULTS / stem}.md")
        return
    tag = args.tag or ("quick" if args.quick else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "antialias" + (f"_{tag}" if tag else "")
    md, js = RESULTS / f"{stem}.md", RESULTS / f"{stem}.json"
    started = time.perf_counter()
    rows: list[dict] = []
    students = Path(args.students) if args.students else None
    if args.part in ("calib", "all"):
        for row in calibration(recipe, eval_kw, args.only, students):
            rows.append(row)
            write_report(rows, args, md, js, started)
    if args.part in ("ours", "all"):
        if args.quick:
            models = [("fuzz", "LSTM-12", {"arch": "lstm", "hidden": 12}),
                      ("fuzz", "TCN nano", {"arch": "tcn", "preset": "nano"})]
            minutes, seconds = 1.0, 40.0
        else:
            # The paper's sizes (LSTM-40, NAM-standard TCN) and the deployable ones, the most telling
            # first (results are written after every model, so a run cut short keeps those).
            sizes = {"LSTM-40": {"arch": "lstm", "hidden": 40}, "LSTM-16": {"arch": "lstm", "hidden": 16},
                     "LSTM-12": {"arch": "lstm", "hidden": 12}, "TCN nano": {"arch": "tcn", "preset": "nano"},
                     "TCN standard": {"arch": "tcn", "preset": "standard"}}
            order = [("distortion", "LSTM-40"), ("distortion", "TCN standard"), ("fuzz", "LSTM-40"),
                     ("distortion", "LSTM-12"), ("distortion", "TCN nano"), ("fuzz", "TCN nano"),
                     ("distortion", "LSTM-16"), ("fuzz", "LSTM-12"), ("fuzz", "LSTM-16"), ("fuzz", "TCN standard")]
            models = [(p, label, sizes[label]) for p, label in order]
            minutes, seconds = 4.0, 90.0
        try:  # the training recipe's own checks, before any pedal is rendered
            teacher_recipe = train_recipe(args.train_recipe or "default", max_minutes=args.train_minutes or minutes,
                                          duration_s=args.train_seconds or seconds, epochs=args.train_epochs)
        except ConfigError as err:
            raise SystemExit(f"bench_antialias.py: teacher training: {err}") from None
        from edgefx.models import tcn_preset

        models = [(p, label, tcn_preset(cfg["preset"]) if cfg.get("preset") else cfg) for p, label, cfg in models
                  if selected(args.only, f"{p} {label}")]
        teachers = Path(args.teachers) if args.teachers else None
        for row in ours(models, recipe, eval_kw, teacher_recipe, teacher_knobs(args.knob), teachers, students):
            rows.append(row)
            write_report(rows, args, md, js, started)
    write_report(rows, args, md, js, started)
    print(f"wrote {md} and {js}")


if __name__ == "__main__":
    main()
