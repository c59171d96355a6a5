"""`edgefx train`: fit a model to a pedal, a WAV pair or a capture, and write a bundle.

    edgefx train --pedal overdrive --knob drive=0.7 --arch lstm --hidden 16 --out export/od-lstm16
    edgefx train --input di.wav --target amp.wav --arch tcn --preset nano --out export/amp-nano
    edgefx train --capture captures/my-pedal --arch gru --preset feather --out export/my-gru

The checkpoint is kept in OUT.ckpt/ while training (deleted when the bundle is written);
after an interruption, the same command with --resume continues where it stopped.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import ConfigError
from ..models import ARCHS, model_from_args
from ._common import add_json_flag, emit, parse_knobs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model and write a bundle", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--pedal", help="a built-in pedal (see `edgefx pedals list`), rendered from the capture signal")
    src.add_argument("--input", help="input (dry/DI) WAV; needs --target")
    src.add_argument("--capture", help="a prepared capture folder (`edgefx capture prepare`)")
    p.add_argument("--target", help="target (processed) WAV, aligned with --input")
    p.add_argument("--knob", action="append", metavar="NAME=VALUE", help="pedal knob setting (repeatable)")
    p.add_argument("--arch", required=True, choices=ARCHS, help="model architecture")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--hidden", type=int, help="hidden size (lstm/gru)")
    size.add_argument("--preset", help="size preset: nano|feather|standard (and lite for tcn)")
    p.add_argument("--gated", action="store_true", help="gated activations (tcn)")
    p.add_argument("--rate", type=int, default=None,
                   help="render rate for --pedal (default 48000); the rate files must have (default: theirs)")
    p.add_argument("--duration", type=float, default=None,
                   help="seconds of capture signal for --pedal (default: the recipe's); first seconds of a WAV pair")
    p.add_argument("--recipe", default="default", help="training recipe: default (CPU, minutes) | paper")
    p.add_argument("--epochs", type=int, help="override the recipe's maximum epochs")
    p.add_argument("--max-minutes", type=float, help="override the recipe's wall-time budget")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0); same seed, same weights")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from OUT.ckpt/")
    p.add_argument("--force", action="store_true", help="replace an existing bundle at --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--out", required=True, help="bundle folder to write, e.g. export/NAME")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..train import get_recipe, load_training_data, train
    from ..train.checkpoint import checkpoint_path

    # stdout is JSON only with --json; the narrative then goes to stderr
    def say(msg: str) -> None:
        print(msg, file=sys.stderr if args.json else sys.stdout, flush=True)

    if args.target and not args.input:
        raise ConfigError("--target needs --input (the dry signal it was recorded from)")
    if args.knob and not args.pedal:
        raise ConfigError("--knob applies to --pedal only")
    if args.gated and args.arch != "tcn":
        raise ConfigError("--gated applies to --arch tcn only")
    model = model_from_args(args.arch, hidden=args.hidden, preset=args.preset, gated=args.gated)
    recipe = get_recipe(args.recipe, epochs=args.epochs, max_minutes=args.max_minutes)
    knobs = parse_knobs(args.knob)
    if args.resume and not checkpoint_path(args.out).is_file():
        # say so before spending minutes on rendering the data
        raise ConfigError(f"{checkpoint_path(args.out)}: no checkpoint to resume from (run without --resume)")

    what = args.pedal or (f"{args.input} -> {args.target}" if args.input else args.capture)
    say(f"[1/3] data: {what}" + (f" ({', '.join(f'{k}={v}' for k, v in knobs.items())})" if knobs else ""))
    data = load_training_data(
        pedal=args.pedal, knobs=knobs, input=args.input, target=args.target, capture=args.capture,
        rate=args.rate, duration_s=args.duration if args.duration else (recipe.duration_s if args.pedal else None),
    )
    say(f"      {data.describe()}")
    say(f"[2/3] train: {model.arch} {model.config().get('hidden', model.config().get('preset', ''))} "
        f"({model.num_params} params, {model.macs_per_sample()} MACs/sample), recipe {recipe.name}, "
        f"seed {args.seed}, up to {recipe.epochs} epochs"
        + (f" / {recipe.max_minutes:g} min" if recipe.max_minutes else ""))
    try:
        result = train(data, model, args.out, recipe=recipe, seed=args.seed, resume=args.resume, force=args.force,
                       show_progress=not args.no_progress, log=None)
    except KeyboardInterrupt:
        ckpt = checkpoint_path(args.out)
        if ckpt.is_file():
            print(f"edgefx train: the last finished epoch is saved in {ckpt}; "
                  "run the same command with --resume to continue", file=sys.stderr)
        raise
    say(f"[3/3] bundle: {result.bundle.path} (test figures, plots/, report.md)")
    tr = result.training
    out = {
        "bundle": str(result.bundle.path),
        "arch": model.arch,
        "params": model.num_params,
        "epochs_run": tr["epochs_run"],
        "best_epoch": tr["best_epoch"],
        "stop_reason": tr["stop_reason"],
        "wall_seconds": tr["wall_seconds"],
        "test": result.metrics,
    }
    emit(out, args.json, lambda r: (
        f"test ESR {r['test']['esr']:.5f} ({r['test']['esr_db']:.1f} dB), pre-emphasised ESR "
        f"{r['test']['esr_preemph']:.5f}, DC {r['test']['dc']:.2e}, peak error {r['test']['peak_error']:.4f}\n"
        f"{r['epochs_run']} epochs ({r['stop_reason']}), best {r['best_epoch']}, {r['wall_seconds']:.1f} s"
    ))
    return 0
