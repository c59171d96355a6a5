"""`edgefx antialias BUNDLE --out export/NAME-aa`: fine-tune a model so it aliases less.

Teacher-student fine-tuning on band-limited sine tones (Carson et al., DAFx 2025; see
`edgefx.antialias.finetune`). The student is written as a new bundle whose manifest section
`antialias` records the teacher, the recipe and loss weights, the time taken and the aliasing
metrics before and after over the sine-tone evaluation set. Interrupted runs continue with --resume.

Developer option: --notes LO:HI[:STEP] (e.g. 21:108:12) evaluates before/after on a subset of the
MIDI notes, and --levels the input levels, to keep quick runs and tests short.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError
from ._common import add_json_flag, emit


def parse_notes(spec: str | None) -> list[int] | None:
    """``LO:HI[:STEP]`` (inclusive) → MIDI note list; None → None (the full 21…108 set)."""
    if spec is None:
        return None
    parts = spec.split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise ConfigError(f"--notes {spec!r}: expected LO:HI[:STEP] with integers, e.g. 21:108:12") from None
    if len(nums) not in (2, 3) or nums[0] > nums[1] or (len(nums) == 3 and nums[2] < 1):
        raise ConfigError(f"--notes {spec!r}: expected LO:HI[:STEP] with LO <= HI and STEP >= 1")
    return list(range(nums[0], nums[1] + 1, nums[2] if len(nums) == 3 else 1))


def parse_levels(spec: str | None) -> list[float] | None:
    """Comma-separated dBFS levels, e.g. ``-36,-18,-6``."""
    if spec is None:
        return None
    try:
        levels = [float(v) for v in spec.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(f"--levels {spec!r}: expected comma-separated dBFS values, e.g. -36,-18,-6") from None
    if not levels or any(v > 0 for v in levels):
        raise ConfigError(f"--levels {spec!r}: levels are dBFS values <= 0")
    return levels


def parse_amp_db(spec: str | None) -> tuple[float, float] | None:
    """``"LO,HI"`` (dBFS) → (LO, HI); None stays None."""
    if spec is None:
        return None
    try:
        lo, hi = (float(v) for v in spec.split(","))
    except ValueError:
        raise ConfigError(f"--amp-db {spec!r}: expected two dBFS values LO,HI, e.g. -40,0") from None
    if not lo <= hi <= 0:
        raise ConfigError(f"--amp-db {spec!r}: need LO <= HI <= 0 dBFS")
    return lo, hi


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "antialias",
        help="fine-tune a bundle's model to reduce aliasing (teacher-student)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("bundle", help="the trained model bundle (the teacher)")
    p.add_argument("--out", default=None, help="output bundle folder (default: BUNDLE-aa beside it)")
    p.add_argument("--recipe", default="default", choices=["default", "paper"],
                   help="default: CPU-sized (minutes); paper: 40k steps in float64 (GPU-sized)")
    p.add_argument("--steps", type=int, default=None,
                   help="optimiser steps, rounded up to whole batches (default recipe: 4000 recurrent, 400 TCN)")
    p.add_argument("--batch", type=int, default=None, help="tones per batch")
    p.add_argument("--lr", type=float, default=None, help="Adam learning rate (default 5e-4)")
    p.add_argument("--lambda", dest="lam", type=float, default=None,
                   help="NMR loss weight λ (default 0.5 for LSTM/GRU, 0.1 for TCN)")
    p.add_argument("--w-esr", type=float, default=None, help="ESR loss weight (default 0.5)")
    p.add_argument("--w-dc", type=float, default=None, help="DC loss weight (default 1.0)")
    p.add_argument("--clip-factor", type=float, default=None,
                   help="clip gradient norms above this multiple of the recent median (default 3; 0 = off)")
    p.add_argument("--lr-schedule", choices=["constant", "cosine"], default=None,
                   help="constant learning rate (default) or cosine decay to 0 over the steps")
    p.add_argument("--nmr-mean", choices=["geometric", "arithmetic"], default=None,
                   help="average the NMR loss over a batch's tones geometrically (default, the reference "
                        "code's) or arithmetically (the loudest-aliasing tones weigh most)")
    p.add_argument("--amp-db", default=None, metavar="LO,HI",
                   help="training-tone levels log-uniform in [LO, HI] dBFS, written --amp-db=-40,0 (default: amplitude "
                        "uniform in [0, 1], the paper's)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random tones (default 0)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    p.add_argument("--force", action="store_true", help="replace an existing output bundle")
    p.add_argument("--notes", default=None, help=argparse.SUPPRESS)  # dev: LO:HI[:STEP] eval subset
    p.add_argument("--levels", default=None, help=argparse.SUPPRESS)  # dev: eval levels, e.g. -6
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..antialias.finetune import finetune_bundle, get_recipe
    from ..bundle import Bundle

    teacher = Bundle.load(args.bundle)
    out = Path(args.out) if args.out else teacher.path.with_name(teacher.path.name + "-aa")
    recipe = get_recipe(args.recipe, batch=args.batch, lr=args.lr, clip_factor=args.clip_factor,
                        lr_schedule=args.lr_schedule, nmr_mean=args.nmr_mean,
                        amp_db_range=parse_amp_db(args.amp_db))
    new = finetune_bundle(
        teacher,
        out,
        recipe,
        lam=args.lam,
        steps=args.steps,
        seed=args.seed,
        resume=args.resume,
        progress=not args.json,
        w_esr=args.w_esr,
        w_dc=args.w_dc,
        eval_midi=parse_notes(args.notes),
        eval_levels=parse_levels(args.levels),
        overwrite=args.force,
    )
    aa = new.manifest["antialias"]
    result = {
        "teacher": teacher.name,
        "bundle": str(new.path),
        "recipe": aa["recipe"]["name"],
        "steps": aa["steps"],
        "wall_time_s": aa["wall_time_s"],
        "loss_weights": aa["loss_weights"],
        "eval_tones": aa["eval_set"]["tones"],
        "before": aa["before"],
        "after": aa["after"],
    }

    def human(r: dict) -> str:
        b, a = r["before"], r["after"]
        return (
            f"{r['teacher']} -> {r['bundle']}  ({r['steps']} steps, {r['wall_time_s']:.0f} s)\n"
            f"over {r['eval_tones']} sine tones, teacher -> student:\n"
            f"NMR-S (mean of dB): {b['nmr_s_db_mean']:.1f} -> {a['nmr_s_db_mean']:.1f} dB\n"
            f"NMR-S (dB of mean): {b['nmr_s_mean_db']:.1f} -> {a['nmr_s_mean_db']:.1f} dB\n"
            f"ESR-S (mean of dB): {b['esr_s_db_mean']:.1f} -> {a['esr_s_db_mean']:.1f} dB\n"
            f"student vs teacher: ESR-T {a['esr_t_db_mean']:.1f} dB, NMR-T {a['nmr_t_db_mean']:.1f} dB, "
            f"HESR-T {a['hesr_t_db_mean']:.1f} dB"
        )

    emit(result, args.json, human)
    return 0
