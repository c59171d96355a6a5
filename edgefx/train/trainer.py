"""The training loop: seeded, resumable, with early stopping on validation ESR.

`fit` trains a model from its config on `TrainingData` with a `Recipe`; `train` adds the test
evaluation, the bundle (`edgefx.bundle.Bundle`) and its report (`edgefx.report`).

Repeatability: the model is built right after ``torch.manual_seed(seed)``; epoch ``k`` shuffles
with ``numpy.random.default_rng([seed, k])`` (so a resumed run draws exactly the batches an
uninterrupted one would); torch runs on ``recipe.threads`` threads (1). The same seed on the same machine
gives bit-identical weights, and a run resumed from an end-of-epoch checkpoint ends with the same
weights as an uninterrupted one. (A run stopped by the time budget mid-epoch is the exception:
its last epoch is partial.)

Validation runs the stateful model from rest over the (first ``val_max_s`` seconds of the)
validation split without gradient; the weights of the best validation ESR are the result.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import BundleError, ConfigError
from ..models import StreamingModel, build_model
from ..threads import torch_threads
from .checkpoint import checkpoint_path, load_checkpoint, remove_checkpoint, save_checkpoint
from .data import TrainingData
from .losses import LossWeights, TrainingLoss, esr, signal_metrics
from .recipes import Recipe, get_recipe

Log = Callable[[str], None]
EpochHook = Callable[[int, dict[str, Any]], None]


def training_threads(recipe: Recipe) -> int:
    """Torch threads for training: the recipe's, at most 2 (the cores of the target machines and CI)."""
    return min(int(recipe.threads), 2)


@dataclass
class FitResult:
    model: StreamingModel
    history: list[dict[str, Any]]
    best_epoch: int
    best_val_esr: float
    initial_val_esr: float
    epochs_run: int
    stopped_early: bool
    stop_reason: str
    wall_s: float
    resumed_from: int = 0


@dataclass
class TrainResult:
    bundle: Any  # edgefx.bundle.Bundle
    metrics: dict[str, float]
    training: dict[str, Any]
    fit: FitResult = field(repr=False, default=None)  # type: ignore[assignment]


# --- batches ----------------------------------------------------------------------------------
def recurrent_segments(data: TrainingData, recipe: Recipe) -> tuple[np.ndarray, int]:
    """Start indices of the non-overlapping train segments and their length (samples)."""
    seg = int(round(recipe.segment_s * data.rate))
    if seg <= recipe.warmup:
        raise ConfigError(f"segment ({seg} samples) must be longer than the warm-up ({recipe.warmup} samples)")
    starts = [p for s, e in data.splits["train"] for p in range(s, e - seg + 1, seg)]
    if not starts:
        longest = max(e - s for s, e in data.splits["train"])
        if longest <= recipe.warmup:
            raise ConfigError(f"the train split is too short ({longest} samples) for a {recipe.warmup}-sample warm-up")
        seg = longest  # tiny data: one segment per region as long as the longest region
        starts = [s for s, e in data.splits["train"] if e - s >= seg]
    return np.asarray(starts, dtype=np.int64), seg


def tcn_windows(
    data: TrainingData, seg: int, ctx: int, count: int, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` random windows: input (count, ctx + seg) and target (count, seg).

    The context reaches back at most to the start of the example's region (zeros before it), so
    no input from another split leaks in.
    """
    regions = [(s, e) for s, e in data.splits["train"] if e - s >= seg]
    lengths = np.array([e - s - seg + 1 for s, e in regions], dtype=np.float64)
    which = rng.choice(len(regions), size=count, p=lengths / lengths.sum())
    xs = np.zeros((count, ctx + seg), dtype=np.float32)
    ys = np.zeros((count, seg), dtype=np.float32)
    for i, r in enumerate(which):
        s, e = regions[r]
        p = s + int(rng.integers(0, e - s - seg + 1))
        lo = max(s, p - ctx)
        xs[i, ctx - (p - lo) :] = data.x[lo : p + seg]
        ys[i] = data.y[p : p + seg]
    return torch.from_numpy(xs), torch.from_numpy(ys)


# --- evaluation -------------------------------------------------------------------------------
@torch.no_grad()
def predict_regions(model: StreamingModel, data: TrainingData, split: str, max_s: float | None = None):
    """(prediction, target) concatenated over a split's regions, each processed from rest."""
    budget = None if max_s is None else int(max_s * data.rate)
    preds, targets = [], []
    for s, e in data.splits[split]:
        if budget is not None:
            if budget <= 0:
                break
            e = min(e, s + budget)
            budget -= e - s
        y = model.process(torch.from_numpy(np.ascontiguousarray(data.x[s:e]))[None])[0]
        preds.append(y.numpy())
        targets.append(data.y[s:e])
    model.reset()
    return np.concatenate(preds), np.concatenate(targets)


def validation_esr(model: StreamingModel, data: TrainingData, recipe: Recipe) -> float:
    pred, target = predict_regions(model, data, "val", recipe.val_max_s)
    return float(esr(torch.from_numpy(pred.astype(np.float64)), torch.from_numpy(target.astype(np.float64))))


# --- the loop ---------------------------------------------------------------------------------
def _make_scheduler(opt: torch.optim.Optimizer, recipe: Recipe):
    if recipe.scheduler == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, factor=recipe.plateau_factor, patience=recipe.plateau_patience, min_lr=recipe.min_lr
        )
    if recipe.scheduler == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=recipe.epochs, eta_min=recipe.min_lr)
    return None


def _state_copy(model: StreamingModel) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _check_resume(ckpt: dict, path: Path, config: dict, recipe: Recipe, seed: int, data: TrainingData) -> None:
    recipe_key = recipe.resume_key()
    theirs = {k: v for k, v in ckpt["recipe"].items() if k in recipe_key}
    diffs = []
    if json.loads(ckpt["model_config"]) != json.loads(json.dumps(config)):
        diffs.append("model")
    for k, v in recipe_key.items():
        if theirs.get(k) != v:
            diffs.append(f"recipe.{k} ({theirs.get(k)!r} != {v!r})")
    if int(ckpt["seed"]) != int(seed):
        diffs.append(f"seed ({ckpt['seed']} != {seed})")
    if ckpt["data"] != {k: data.source[k] for k in ("x_sha256", "y_sha256")}:
        diffs.append("training data")
    if diffs:
        raise ConfigError(f"{path}: the checkpoint was made with a different {', '.join(diffs)}; "
                          "run without --resume to start afresh")


def fit(
    model_config: dict[str, Any] | StreamingModel,
    data: TrainingData,
    recipe: Recipe | str = "default",
    *,
    seed: int = 0,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    show_progress: bool = True,
    log: Log | None = None,
    on_epoch_end: EpochHook | None = None,
) -> FitResult:
    """Train a fresh model (built from ``model_config`` under ``seed``) on ``data``.

    ``checkpoint``: file written after every epoch; with ``resume`` training continues from it
    (same model, recipe, seed and data required; ``epochs``/``max_minutes``/``patience`` may differ).
    ``on_epoch_end(epoch, record)`` is called after each epoch's checkpoint is written.
    """
    recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
    with torch_threads(training_threads(recipe)):
        return _fit(model_config, data, recipe, seed, checkpoint, resume, show_progress, log, on_epoch_end)


def _fit(model_config, data, recipe, seed, checkpoint, resume, show_progress, log, on_epoch_end) -> FitResult:
    from ..commands._common import progress

    log = log or (lambda msg: None)
    config = model_config.config() if isinstance(model_config, StreamingModel) else dict(model_config)
    torch.manual_seed(int(seed))
    model = build_model(config).to(torch.float32).train()
    recurrent = model.arch in ("lstm", "gru")
    lr = recipe.lr if recurrent else recipe.lr_tcn
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = _make_scheduler(opt, recipe)
    criterion = TrainingLoss(
        data.rate, recipe.preemphasis, recipe.preemph_coef, LossWeights(recipe.w_esr, recipe.w_dc, recipe.w_mrstft)
    )
    ckpt_path = Path(checkpoint) if checkpoint else None

    history: list[dict[str, Any]] = []
    start_epoch, elapsed0, bad_epochs = 0, 0.0, 0
    best: dict[str, Any]
    if resume:
        if ckpt_path is None:
            raise ConfigError("resume needs a checkpoint path")
        ckpt = load_checkpoint(ckpt_path)
        _check_resume(ckpt, ckpt_path, config, recipe, seed, data)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        if sched is not None and ckpt["scheduler"]:
            sched.load_state_dict(ckpt["scheduler"])
        torch.set_rng_state(ckpt["rng"]["torch"])
        start_epoch, elapsed0, bad_epochs = int(ckpt["epoch"]), float(ckpt["elapsed_s"]), int(ckpt["bad_epochs"])
        history = list(ckpt["history"])
        best = {"val_esr": float(ckpt["best"]["val_esr"]), "epoch": int(ckpt["best"]["epoch"]),
                "model": ckpt["best"]["model"]}
        initial = float(ckpt["initial_val_esr"])
        log(f"resuming from {ckpt_path} after epoch {start_epoch}")
    else:
        initial = validation_esr(model, data, recipe)
        best = {"val_esr": initial, "epoch": 0, "model": _state_copy(model)}

    if recurrent:
        starts, seg = recurrent_segments(data, recipe)
        batches_per_epoch = math.ceil(len(starts) / recipe.batch_size)
    else:
        ctx = model.receptive_field - 1
        seg = min(recipe.tcn_segment, max(e - s for s, e in data.splits["train"]))
        batches_per_epoch = recipe.tcn_steps

    budget_s = recipe.max_minutes * 60.0 if recipe.max_minutes else math.inf
    t_start = time.perf_counter()
    stop_reason, stopped_early = "epochs", False
    if resume and bad_epochs >= recipe.patience:
        stop_reason, stopped_early = "early stopping", True
    bar = progress(total=recipe.epochs, initial=start_epoch, desc=f"train {model.arch}", unit="epoch",
                   disable=not show_progress)
    epoch = start_epoch
    try:
        while epoch < recipe.epochs and not stopped_early:
            rng = np.random.default_rng([int(seed), epoch])
            losses: list[float] = []
            time_up = False
            t_epoch = time.perf_counter()
            model.train()
            if recurrent:
                order = starts[rng.permutation(len(starts))]
                batch_list = [order[i : i + recipe.batch_size] for i in range(0, len(order), recipe.batch_size)]
            else:
                batch_list = [None] * batches_per_epoch
            for b, batch in enumerate(batch_list):
                if recurrent:
                    xb = torch.from_numpy(np.stack([data.x[p : p + seg] for p in batch]))
                    yb = torch.from_numpy(np.stack([data.y[p : p + seg] for p in batch]))
                    losses.extend(_tbptt_batch(model, opt, criterion, xb, yb, recipe))
                else:
                    xb, yb = tcn_windows(data, seg, ctx, recipe.tcn_batch_size, rng)
                    losses.append(_tcn_step(model, opt, criterion, xb, yb, ctx, recipe))
                if show_progress and (b % 4 == 0 or b == len(batch_list) - 1):
                    bar.set_postfix_str(f"batch {b + 1}/{len(batch_list)} loss {np.mean(losses[-16:]):.4g}"
                                        + (f" val ESR {history[-1]['val_esr']:.4g}" if history else ""))
                if elapsed0 + time.perf_counter() - t_start > budget_s:
                    time_up = True
                    break
            val = validation_esr(model, data, recipe)
            if not math.isfinite(val):
                raise ConfigError("training diverged (validation ESR is not finite); try a lower learning rate")
            epoch += 1
            record = {
                "epoch": epoch,
                "train_loss": float(np.mean(losses)) if losses else float("nan"),
                "val_esr": val,
                "lr": float(opt.param_groups[0]["lr"]),
                "seconds": round(time.perf_counter() - t_epoch, 2),
            }
            if time_up:
                record["partial"] = True
            history.append(record)
            if sched is not None:
                sched.step(val) if recipe.scheduler == "plateau" else sched.step()
            if val < best["val_esr"]:
                best = {"val_esr": val, "epoch": epoch, "model": _state_copy(model)}
                bad_epochs = 0
            else:
                bad_epochs += 1
            elapsed = elapsed0 + time.perf_counter() - t_start
            if ckpt_path is not None:
                save_checkpoint(ckpt_path, {
                    "model_config": json.dumps(config), "recipe": recipe.to_dict(), "seed": int(seed),
                    "data": {k: data.source[k] for k in ("x_sha256", "y_sha256")},
                    "epoch": epoch, "model": _state_copy(model), "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict() if sched is not None else {},
                    "best": best, "bad_epochs": bad_epochs, "history": history, "elapsed_s": elapsed,
                    "initial_val_esr": initial,
                    "rng": {"torch": torch.get_rng_state()},
                })
            bar.update(1)
            bar.set_postfix_str(f"loss {record['train_loss']:.4g} val ESR {val:.4g} best {best['val_esr']:.4g}")
            log(f"epoch {epoch:3d}  train loss {record['train_loss']:.5f}  val ESR {val:.5f}  "
                f"lr {record['lr']:.2g}  ({record['seconds']:.1f} s)")
            if on_epoch_end is not None:
                on_epoch_end(epoch, record)
            if bad_epochs >= recipe.patience:
                stop_reason, stopped_early = "early stopping", True
            elif time_up or elapsed > budget_s:
                stop_reason = "time limit"
                break
    finally:
        bar.close()
    model.load_state_dict(best["model"])
    model.eval()
    return FitResult(
        model=model,
        history=history,
        best_epoch=int(best["epoch"]),
        best_val_esr=float(best["val_esr"]),
        initial_val_esr=initial,
        epochs_run=epoch,
        stopped_early=stopped_early,
        stop_reason=stop_reason,
        wall_s=elapsed0 + time.perf_counter() - t_start,
        resumed_from=start_epoch,
    )


def _tbptt_batch(model, opt, criterion, xb, yb, recipe: Recipe) -> list[float]:
    """Warm up without gradient, then one optimiser step per frame, detaching between frames."""
    model.reset()
    with torch.no_grad():
        model(xb[:, : recipe.warmup])
    losses = []
    for t in range(recipe.warmup, xb.shape[1], recipe.frame):
        if xb.shape[1] - t < 8:  # a sliver too short for a meaningful (pre-emphasised) ESR
            break
        pred = model(xb[:, t : t + recipe.frame])
        loss, _ = criterion(pred, yb[:, t : t + recipe.frame])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if recipe.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        opt.step()
        model.detach_state()
        losses.append(float(loss.detach()))
    model.reset()
    return losses


def _tcn_step(model, opt, criterion, xb, yb, ctx: int, recipe: Recipe) -> float:
    """One step on windows computed from rest; the first ``ctx`` outputs only fill the history."""
    pred, _ = model.step(xb, model.initial_state(xb.shape[0]))
    loss, _ = criterion(pred[:, ctx:], yb)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if recipe.grad_clip:
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
    opt.step()
    return float(loss.detach())


# --- the whole job ----------------------------------------------------------------------------
def _check_out(out: Path, force: bool) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not force:
            raise BundleError(f"{out}: already exists and is not empty (use --force to replace it)")
        if not (out / "manifest.json").is_file():
            raise BundleError(f"{out}: refusing to replace a non-empty folder that is not a bundle")


def train(
    data: TrainingData,
    model_config: dict[str, Any] | StreamingModel,
    out: str | Path,
    *,
    recipe: Recipe | str = "default",
    seed: int = 0,
    name: str | None = None,
    resume: bool = False,
    force: bool = False,
    show_progress: bool = True,
    report: bool = True,
    log: Log | None = None,
    on_epoch_end: EpochHook | None = None,
) -> TrainResult:
    """Fit, evaluate on the test split, and write the bundle ``out`` (with plots and report.md).

    The checkpoint lives at ``<out>.ckpt/checkpoint.pt`` while training and is deleted once the
    bundle is written.
    """

    out = Path(out)
    _check_out(out, force)
    recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
    ckpt = checkpoint_path(out)
    return _train(data, model_config, out, ckpt, recipe, seed, name, resume, force, show_progress, report, log,
                  on_epoch_end)


def _train(data, model_config, out, ckpt, recipe, seed, name, resume, force, show_progress, report, log,
           on_epoch_end) -> TrainResult:
    from ..bundle import Bundle

    t0 = time.perf_counter()
    result = fit(model_config, data, recipe, seed=seed, checkpoint=ckpt, resume=resume,
                 show_progress=show_progress, log=log, on_epoch_end=on_epoch_end)
    model = result.model
    pred, target = predict_regions(model, data, "test")
    metrics = signal_metrics(pred, target, data.rate)
    training = {
        "source": data.source,
        "data": {"x_sha256": data.source["x_sha256"], "y_sha256": data.source["y_sha256"],
                 "splits": {k: [list(r) for r in v] for k, v in data.splits.items()},
                 "seconds": {k: round(data.seconds(k), 3) for k in data.splits}},
        "recipe": recipe.to_dict(),
        "seed": int(seed),
        "epochs_run": result.epochs_run,
        "best_epoch": result.best_epoch,
        "best_val_esr": result.best_val_esr,
        "initial_val_esr": result.initial_val_esr,
        "stopped_early": result.stopped_early,
        "stop_reason": result.stop_reason,
        "wall_seconds": round(result.wall_s, 2),
        "resumed_from_epoch": result.resumed_from,
        "threads": training_threads(recipe),
        "torch_version": torch.__version__,
        "history": result.history,
    }
    bundle = Bundle.create(out, model, data.rate, name=name, training=training, metrics={"test": metrics},
                           overwrite=force)
    if report:
        from ..report import write_report

        write_report(bundle, target=target, prediction=pred, history=result.history, best_epoch=result.best_epoch)
    remove_checkpoint(ckpt)
    training["total_seconds"] = round(time.perf_counter() - t0, 2)
    bundle.update("training", {"total_seconds": training["total_seconds"]})
    return TrainResult(bundle=bundle, metrics=metrics, training=training, fit=result)
