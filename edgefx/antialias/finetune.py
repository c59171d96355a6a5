"""Anti-aliasing fine-tuning: teacher → student on band-limited sine tones (spec §4, Carson et al. 2025).

The teacher is the trained model, frozen; the student is a copy with every weight trainable. For
each batch:

1. draw B random tones x = A sin(2π f0 n/Fs + φ), A ~ U(0,1), φ ~ U(0,2π), f0 = 440·2^((l−69)/12),
   l ~ U(21, 127) continuous (1.2 s for recurrent models, 1.05 s for TCNs);
2. target ỹ_T = band-limited teacher output over the last N = Fs samples (harmonics only, §2);
3. the student produces ŷ over the same samples, in frames, with an optimiser step per frame:
   * recurrent: the student is warmed up (no gradient) on the L − N samples before the analysed
     second (N/5 for 1.2 s tones), then truncated BPTT over frames of N/10, state carried and
     detached between frames;
   * TCN: frames of N/2, each computed from rest with a left context of receptive_field − 1 input
     samples (or all there is), so every output sees the same inputs as in one long run;
4. both pass the low-pass pre-emphasis P (Kaiser FIR, 12 → 16 kHz, 80 dB) and
       loss = w_esr · Σ(Pŷ − Pỹ)² / Σ(Pỹ)²
            + w_nmr · exp(mean_b log NMR(Pŷ_b, Pỹ_b))      (λ; NMR linear, geometric mean over batch)
            + w_dc  · mean(Pỹ − Pŷ)² / mean(Pỹ²),
   with the reference code's weights 0.5 / 0.5 / 1.0 as the defaults, except λ = 0.1 for TCNs
   (see `Recipe.w_nmr`). NMR runs in float64. ``nmr_mean="arithmetic"`` uses mean_b NMR_b instead
   of the geometric mean: the loud, badly aliasing tones then weigh as they do in the dB-of-mean
   figures (and the paper's averaging), which the geometric mean deliberately plays down.

Adam, lr 5e-4. A "step" is one optimiser step (one frame); the paper's 40k steps at batch 40 are
4,000 batches of 10 frames for an LSTM. Step counts are rounded up to whole batches, so a run
interrupted at a checkpoint and resumed equals an uninterrupted one.

Recipes. Step times below were measured on this project's shared 2-core CPU, torch on one thread.

* ``default`` — batch 8, lr 5e-4, gradient spikes clipped (`SpikeClipper`), float32 models (NMR,
  band-limiting and the loss stay float64); 4,000 steps for recurrent models (400 batches of 10
  frames), 400 for TCNs (200 batches of 2 frames, each frame 5× an LSTM's audio). On the paper's
  Broadcast LSTM-40 (`benchmarks/bench_antialias.py --part calib --only LSTM --steps 4000`, full
  tone set, results/antialias_calib_lstm4000.md): 4,000 steps in 17 min on one core, NMR-S 8.8 →
  −6.0 dB by the paper's averaging (Table 1: 6.1 → −16.7 after 40k steps), −19.4 → −28.2 dB mean
  of dB, HESR-T −21.3 dB as the paper's. An exploratory run (every other note, no repo command)
  showed the drop growing with steps (500: −1.7 dB, 1,500: −9.0, 4,000: −28.8 without MIDI 108),
  and without clipping the same run blew up near step 880.
  Smaller models are quicker per step (LSTM-12/16 about half); TCN nano ≈ 0.3–0.9 s/step
  (400 steps: 2–6 min); the NAM-standard TCN ≈ 2.5 s/step (400 steps: about 17 min). A 30-step
  run of a tiny hard-clipping LSTM-8 reached the same NMR-S in float32 and float64 (−10.36 dB
  both) while float64 was 31× slower per step (torch's CPU float64 LSTM has no fused kernel),
  hence float32. lr 2e-3 instead of 5e-4 broke the LSTM-40 (ESR-T −1.5 dB after 300 steps), so
  the paper's lr is kept, constant: a cosine decay over the 4,000 steps (``lr_schedule``) traded
  NMR-S for ESR on the Broadcast LSTM (NMR-S 8.8 → 2.5 dB instead of −6.0; ESR-T −18.3 dB instead
  of −15.3; results/antialias_calib_lstm4000_cosine.md).
* ``paper`` — batch 40 (recurrent) / 32 (TCN), 40,000 steps, float64. Extrapolated from the
  step times measured under load (LSTM-40 ≈ 1.5 s/step at batch 8; time ∝ batch, ×14–31 for
  float64): ≈ 100 s/step, i.e. ≈ 46 days for 40k steps on this CPU (≈ 3.5 days even in float32);
  NAM-standard TCN ≈ 2.5 s × 4 × 1.5 (float64 convs measured 1.5× slower) ≈ 15 s/step, ≈ 7 days;
  it is there for GPU machines (the paper: ≤ 24 h on a GTX 1080) and for fidelity.

GRUs take the recurrent path too, but torch's CPU GRU is 10–50× slower than its LSTM (measured
forward+backward over 4,410 samples: 6.4 s vs 0.27 s), so fine-tuning one takes correspondingly long.
"""

from __future__ import annotations

import copy
import math
import os
import statistics
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from ..errors import ConfigError
from ..models import RecurrentModel, StreamingModel, TCNModel
from ..signals.tones import random_tones
from ..threads import torch_threads
from .bandlimit import bandlimit
from .filters import lowpass_preemphasis
from .nmr import nmr

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


@dataclass
class Recipe:
    """Everything that defines a fine-tuning run (recorded in the bundle manifest).

    ``batch`` and ``duration_s`` of None take the architecture's default (see `resolved`).
    """

    name: str = "default"
    steps: int | None = None  # 4000 recurrent, 400 TCN (a TCN step sees 5x the audio)
    batch: int | None = 8
    lr: float = 5e-4
    w_esr: float = 0.5
    # λ: the paper's 0.5 for recurrent models; 0.1 for TCNs, whose harmonics fine-tuning bends (the
    # paper's Sec. 4): on our distortion TCNs 0.1 kept 91-94 % of the NMR-S drop and cut the guitar-ESR
    # loss from 5.9 to 1.5 dB (nano) and from 9.8 to 3.0 dB (NAM standard); on the fuzz TCN nano it
    # kept half the drop (3.4 of 6.9 dB). λ = 0.5 broke the 3 dB guitar-ESR budget twice; README, part (b).
    w_nmr: float | None = None
    w_dc: float = 1.0
    # Gradient-norm clipping at clip_factor x the median norm of the previous (up to 200) steps;
    # 0 turns it off. See `SpikeClipper` for why.
    clip_factor: float = 3.0
    # "constant" (the paper's Adam) or "cosine": lr × ½(1 + cos(π b / B)) for batch b of B, so
    # the last batches take small steps instead of jittering around the optimum.
    lr_schedule: str = "constant"
    # How the NMR term averages the batch's tones: "geometric" (the reference code's) or
    # "arithmetic" (see the module docstring).
    nmr_mean: str = "geometric"
    dtype: str = "float32"
    duration_s: float | None = None  # 1.2 s recurrent, 1.05 s TCN
    midi_range: tuple[float, float] = (21.0, 127.0)
    # Training-tone amplitudes: None for A ~ U(0, 1) (the paper's: half the tones above -6 dBFS, 3 %
    # below -30), or (lo, hi) dBFS for log-uniform levels (see `random_tones`).
    amp_db_range: tuple[float, float] | None = None
    checkpoint_every: int = 1  # batches
    eval_midi: list[int] = field(default_factory=lambda: list(range(21, 109)))
    eval_levels: list[float] = field(default_factory=lambda: [-36.0, -18.0, -6.0])

    def resolved(self, model: StreamingModel) -> Recipe:
        """Fill the architecture-dependent defaults and validate."""
        recurrent = isinstance(model, RecurrentModel)
        r = replace(
            self,
            steps=int(self.steps) if self.steps is not None else (4000 if recurrent else 400),
            w_nmr=float(self.w_nmr) if self.w_nmr is not None else (0.5 if recurrent else 0.1),
            batch=int(self.batch) if self.batch else (40 if recurrent else 32),
            duration_s=float(self.duration_s) if self.duration_s else (1.2 if recurrent else 1.05),
            midi_range=(float(self.midi_range[0]), float(self.midi_range[1])),
            amp_db_range=(None if self.amp_db_range is None
                          else (float(self.amp_db_range[0]), float(self.amp_db_range[1]))),
            eval_midi=[int(m) for m in self.eval_midi],
            eval_levels=[float(v) for v in self.eval_levels],
        )
        if r.dtype not in _DTYPES:
            raise ConfigError(f"recipe dtype {r.dtype!r}: choose one of {sorted(_DTYPES)}")
        if r.steps < 0 or r.batch < 1 or r.lr <= 0:
            raise ConfigError(f"recipe needs steps >= 0, batch >= 1 and lr > 0 (got {r.steps}, {r.batch}, {r.lr})")
        if r.lr_schedule not in LR_SCHEDULES:
            raise ConfigError(f"recipe lr_schedule {r.lr_schedule!r}: choose one of {', '.join(LR_SCHEDULES)}")
        if r.nmr_mean not in NMR_MEANS:
            raise ConfigError(f"recipe nmr_mean {r.nmr_mean!r}: choose one of {', '.join(NMR_MEANS)}")
        if r.amp_db_range is not None and not r.amp_db_range[0] <= r.amp_db_range[1] <= 0.0:
            raise ConfigError(f"recipe amp_db_range must be (low, high) dBFS with low <= high <= 0, "
                              f"got {r.amp_db_range}")
        if r.clip_factor < 0 or (0 < r.clip_factor < 1):
            raise ConfigError(f"recipe clip_factor must be 0 (off) or >= 1, got {r.clip_factor}")
        if min(r.w_esr, r.w_nmr, r.w_dc) < 0 or r.w_esr + r.w_nmr + r.w_dc == 0:
            raise ConfigError("loss weights must be >= 0 and not all zero")
        if r.duration_s <= 1.0:
            raise ConfigError(f"tones must be longer than the analysed 1 s, got {r.duration_s} s")
        return r

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["midi_range"] = list(d["midi_range"])
        if d["amp_db_range"] is not None:
            d["amp_db_range"] = list(d["amp_db_range"])
        return d


LR_SCHEDULES = ("constant", "cosine")
NMR_MEANS = ("geometric", "arithmetic")


def scheduled_lr(recipe: Recipe, batch: int, n_batches: int) -> float:
    """Learning rate of batch ``batch`` (0-based) of ``n_batches``: ``recipe.lr``, or with the
    cosine schedule lr · ½(1 + cos(π · batch / n_batches)). A function of the batch index only, so a
    resumed run continues the same schedule without extra state."""
    if recipe.lr_schedule == "cosine" and n_batches > 0:
        return recipe.lr * 0.5 * (1.0 + math.cos(math.pi * batch / n_batches))
    return recipe.lr


RECIPES: dict[str, Recipe] = {
    "default": Recipe(),
    # The paper/reference code: batch 40 (16 without GPU) LSTM, 32 TCN, float64, 100 epochs of
    # 1,600 tones × 10 frames ≈ 40k optimiser steps.
    "paper": Recipe(name="paper", steps=40_000, batch=None, dtype="float64"),
}


def get_recipe(name: str = "default", **overrides: Any) -> Recipe:
    """A named recipe with some fields replaced (None values are ignored)."""
    if name not in RECIPES:
        raise ConfigError(f"unknown fine-tuning recipe {name!r}; choose one of {sorted(RECIPES)}")
    return replace(RECIPES[name], **{k: v for k, v in overrides.items() if v is not None})


def check_supported(model: StreamingModel) -> None:
    """Raise `ConfigError` unless ``model`` is an LSTM/GRU or TCN this module can fine-tune."""
    if not isinstance(model, (RecurrentModel, TCNModel)):
        raise ConfigError(
            f"anti-aliasing fine-tuning supports LSTM, GRU and TCN models, not {type(model).__name__}"
        )


# --- loss ------------------------------------------------------------------------------------------
class SpikeClipper:
    """Clips gradient spikes: norms above ``factor`` x the median of the last ``window`` norms.

    The NMR term makes the gradient norm heavy-tailed (Broadcast LSTM-40, default recipe, 300
    steps: median 97, 90th percentile 1.1e3, max 9.7e3). Unclipped, one spike near step 880 threw
    that student off for good (per-batch ESR-T 0.03 -> 1.0, never recovered); a fixed threshold
    would have to be tuned per model and loss scale, a multiple of the recent median needs none.
    The first ``warmup`` steps only collect norms. Norms are recorded unclipped, so the threshold
    follows a genuine change of scale. ``state``/``load`` carry the window through checkpoints.
    """

    def __init__(self, factor: float, window: int = 200, warmup: int = 20) -> None:
        self.factor, self.window, self.warmup = float(factor), int(window), int(warmup)
        self.norms: list[float] = []
        self.clipped = 0

    def __call__(self, params: Iterable[torch.Tensor]) -> float:
        """Clip the gradients of ``params`` in place if they spike; returns the norm before clipping."""
        params = [p for p in params if p.grad is not None]
        if not params:
            return 0.0
        total = torch.nn.utils.get_total_norm([p.grad for p in params])
        norm = float(total)
        if self.factor > 0 and len(self.norms) >= self.warmup:
            limit = self.factor * statistics.median_high(self.norms)  # the window holds the recent norms
            if norm > limit:
                torch.nn.utils.clip_grads_with_norm_(params, limit, total)
                self.clipped += 1
        self.norms = (self.norms + [norm])[-self.window :]
        return norm

    def state(self) -> dict[str, Any]:
        return {"norms": list(self.norms), "clipped": self.clipped}

    def load(self, state: dict[str, Any]) -> None:
        self.norms = [float(v) for v in state.get("norms", [])][-self.window :]
        self.clipped = int(state.get("clipped", 0))


def antialias_loss(
    pred: torch.Tensor, target: torch.Tensor, rate: int, pre: torch.nn.Module, recipe: Recipe
) -> tuple[torch.Tensor, dict[str, float]]:
    """The fine-tuning loss of one frame (see module docstring); also returns its parts.

    ``recipe`` must be resolved (`Recipe.resolved`): λ depends on the architecture."""
    if recipe.w_nmr is None:
        raise ConfigError("antialias_loss needs a resolved recipe (Recipe.resolved(model) fills λ)")
    p = pre(pred.to(torch.float64))
    t = pre(target.to(torch.float64))
    loss = p.new_zeros(())
    parts: dict[str, float] = {}
    if recipe.w_esr > 0:
        e = torch.sum((p - t) ** 2) / torch.sum(t**2)
        loss = loss + recipe.w_esr * e
        parts["esr"] = float(e.detach())
    if recipe.w_nmr > 0:
        per_tone = nmr(p, t, rate)
        if recipe.nmr_mean == "arithmetic":
            g = torch.mean(per_tone)  # the worst tones dominate, as in the dB-of-mean metrics
        else:
            # Geometric mean over the batch = 10^(mean dB / 10): one loud tone cannot dominate.
            g = torch.exp(torch.mean(torch.log(per_tone)))
        loss = loss + recipe.w_nmr * g
        parts["nmr"] = float(g.detach())
    if recipe.w_dc > 0:
        d = torch.mean(t - p) ** 2 / torch.mean(t**2)
        loss = loss + recipe.w_dc * d
        parts["dc"] = float(d.detach())
    parts["loss"] = float(loss.detach())
    return loss, parts


# --- training loop ---------------------------------------------------------------------------------
@dataclass
class FinetuneResult:
    student: StreamingModel
    recipe: Recipe
    steps: int  # optimiser steps done in total
    wall_time_s: float  # training time in total (over resumed runs)
    history: dict[str, list[float]]  # per batch: loss, esr, nmr_db, dc
    resumed_from: int = 0
    clipped_steps: int = 0  # optimiser steps whose gradient `SpikeClipper` scaled down

    @property
    def seconds_per_step(self) -> float:
        return self.wall_time_s / max(1, self.steps)


def _frames_per_batch(model: StreamingModel) -> int:
    return 10 if isinstance(model, RecurrentModel) else 2


def _teacher_targets(teacher: StreamingModel, x: torch.Tensor, f0: torch.Tensor, rate: int) -> torch.Tensor:
    with torch.no_grad():
        y, _ = teacher.step(x, teacher.initial_state(x.shape[0]))
    return bandlimit(y, f0, rate).harmonic  # [B, N] float64


def _train_batch_recurrent(student, opt, clip, x, target, rate, pre, recipe, frames) -> list[dict]:
    n = target.shape[-1]
    warm = x.shape[-1] - n
    frame = n // frames
    with torch.no_grad():  # warm-up: the state the analysed second starts from
        _, state = student.step(x[:, :warm], student.initial_state(x.shape[0]))
    out = []
    for k in range(frames):
        s, e = k * frame, (k + 1) * frame if k < frames - 1 else n
        opt.zero_grad(set_to_none=True)
        y, state = student.step(x[:, warm + s : warm + e], state)
        loss, parts = antialias_loss(y, target[:, s:e], rate, pre, recipe)
        loss.backward()
        clip(student.parameters())
        opt.step()
        state = tuple(t.detach() for t in state)  # truncated BPTT
        out.append(parts)
    return out


def _train_batch_tcn(student, opt, clip, x, target, rate, pre, recipe, frames) -> list[dict]:
    n = target.shape[-1]
    warm = x.shape[-1] - n
    frame = n // frames
    context = student.receptive_field - 1
    out = []
    for k in range(frames):
        s, e = k * frame, (k + 1) * frame if k < frames - 1 else n
        lo = max(0, warm + s - context)
        opt.zero_grad(set_to_none=True)
        y, _ = student.step(x[:, lo : warm + e], student.initial_state(x.shape[0]))
        loss, parts = antialias_loss(y[:, -(e - s) :], target[:, s:e], rate, pre, recipe)
        loss.backward()
        clip(student.parameters())
        opt.step()
        out.append(parts)
    return out


def _save_checkpoint(path: Path, payload: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def _load_checkpoint(path: Path) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a truncated or foreign file: say which, do not unpickle anything
        raise ConfigError(f"{path}: not a readable fine-tuning checkpoint ({exc})") from None


def finetune(
    teacher: StreamingModel,
    rate: int,
    recipe: Recipe | str = "default",
    *,
    seed: int = 0,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
) -> FinetuneResult:
    """Fine-tune a copy of ``teacher`` to alias less (see module docstring for the method).

    ``checkpoint``: file written (atomically) every ``recipe.checkpoint_every`` batches with the
    student, optimiser and tone-generator states; with ``resume`` an existing one is continued up to
    ``recipe.steps`` (it must have been made with the same recipe, except ``steps``).
    """
    check_supported(teacher)
    if isinstance(recipe, str):
        recipe = get_recipe(recipe)
    recipe = recipe.resolved(teacher)
    dtype = _DTYPES[recipe.dtype]
    teacher = copy.deepcopy(teacher).to(dtype).eval().requires_grad_(False)
    student = copy.deepcopy(teacher).train().requires_grad_(True)
    opt = torch.optim.Adam(student.parameters(), lr=recipe.lr)
    clip = SpikeClipper(recipe.clip_factor)
    gen = torch.Generator().manual_seed(int(seed))
    pre = lowpass_preemphasis(rate)
    frames = _frames_per_batch(student)
    n_batches = math.ceil(recipe.steps / frames)
    history: dict[str, list[float]] = {"loss": [], "esr": [], "nmr_db": [], "dc": []}
    done, elapsed, resumed_from = 0, 0.0, 0

    ckpt = Path(checkpoint) if checkpoint else None
    if ckpt is not None and resume and ckpt.is_file():
        state = _load_checkpoint(ckpt)
        mine = {k: v for k, v in recipe.to_dict().items() if k != "steps"}
        # a checkpoint from before nmr_mean / amp_db_range existed: geometric mean, A ~ U(0, 1)
        theirs = {"nmr_mean": "geometric", "amp_db_range": None}
        theirs |= {k: v for k, v in state.get("recipe", {}).items() if k != "steps"}
        if mine != theirs or state.get("seed") != int(seed):
            raise ConfigError(f"{ckpt}: checkpoint was made with a different recipe or seed; "
                              "start afresh without --resume")
        student.load_state_dict(state["student"])
        opt.load_state_dict(state["optimizer"])
        gen.set_state(state["generator"])
        clip.load(state.get("clip", {}))
        done, elapsed = int(state["batches"]), float(state["wall_time_s"])
        history = {k: list(v) for k, v in state["history"].items()}
        resumed_from = done * frames

    def snapshot() -> dict:
        return {
            "format": "edgefx-antialias-checkpoint-1",
            "recipe": recipe.to_dict(),
            "seed": int(seed),
            "student": student.state_dict(),
            "optimizer": opt.state_dict(),
            "generator": gen.get_state(),
            "clip": clip.state(),
            "batches": done,
            "wall_time_s": elapsed,
            "history": history,
        }

    train_batch = _train_batch_recurrent if isinstance(student, RecurrentModel) else _train_batch_tcn
    bar = None
    if progress:
        from ..commands._common import progress as _progress

        bar = _progress(total=n_batches * frames, initial=done * frames, desc="anti-alias fine-tune", unit="step")
    running_nmr = history["nmr_db"][-1] if history["nmr_db"] else None
    with torch_threads(1):  # tiny matrices: one thread is faster (see edgefx.threads)
        try:
            while done < n_batches:
                t0 = time.perf_counter()
                for group in opt.param_groups:
                    group["lr"] = scheduled_lr(recipe, done, n_batches)
                x, f0, _ = random_tones(recipe.batch, rate, recipe.duration_s, gen, recipe.midi_range,
                                        amp_db_range=recipe.amp_db_range)
                x = x.to(dtype)
                target = _teacher_targets(teacher, x, f0, rate)
                parts = train_batch(student, opt, clip, x, target, rate, pre, recipe, frames)
                elapsed += time.perf_counter() - t0
                done += 1
                mean = {k: sum(p.get(k, 0.0) for p in parts) / len(parts) for k in ("loss", "esr", "nmr", "dc")}
                nmr_db = 10 * math.log10(max(mean["nmr"], 1e-30)) if recipe.w_nmr > 0 else float("nan")
                for k, v in (("loss", mean["loss"]), ("esr", mean["esr"]), ("nmr_db", nmr_db), ("dc", mean["dc"])):
                    history[k].append(float(v))
                running_nmr = nmr_db if running_nmr is None else 0.9 * running_nmr + 0.1 * nmr_db
                if bar is not None:  # into a log, progress() holds the postfix for the timed redraw
                    bar.set_postfix(loss=f"{mean['loss']:.3g}", nmr_db=f"{running_nmr:.1f}")
                    bar.update(frames)
                if ckpt is not None and (done % max(1, recipe.checkpoint_every) == 0 or done == n_batches):
                    _save_checkpoint(ckpt, snapshot())
        finally:
            if bar is not None:
                bar.close()
    student.eval().requires_grad_(False)
    return FinetuneResult(student, recipe, done * frames, elapsed, history, resumed_from, clip.clipped)


# --- bundles ---------------------------------------------------------------------------------------
SUPPORTED_ARCHS = ("lstm", "gru", "tcn")


def checkpoint_path(out_path: str | Path) -> Path:
    """Where `finetune_bundle` keeps its checkpoint: beside the output bundle (which is only
    created, complete, at the end)."""
    out = Path(out_path)
    return out.with_name(out.name + ".antialias-ckpt.pt")


def save_student(
    out_path: str | Path,
    student: StreamingModel,
    rate: int,
    teacher_name: str,
    recipe: Recipe,
    steps: int,
    *,
    section: dict | None = None,
    metrics: dict | None = None,
    name: str | None = None,
    overwrite: bool = False,
) -> Any:
    """Write a fine-tuned student as a bundle, in the one manifest shape every student gets:
    ``training`` = {stage "antialias", from (the teacher's name), recipe (its name), steps} and a
    section ``antialias`` = {recipe (in full), steps, **section}."""
    from ..bundle import Bundle

    new = Bundle.create(
        out_path,
        student,
        rate,
        name=name,
        training={"stage": "antialias", "from": teacher_name, "recipe": recipe.name, "steps": steps},
        metrics=metrics,
        overwrite=overwrite,
    )
    new.update("antialias", {"recipe": recipe.to_dict(), "steps": steps, **(section or {})})
    return new


def finetune_bundle(
    bundle: Any,
    out_path: str | Path,
    recipe: Recipe | str = "default",
    *,
    lam: float | None = None,
    steps: int | None = None,
    seed: int = 0,
    resume: bool = False,
    progress: bool = True,
    w_esr: float | None = None,
    w_dc: float | None = None,
    eval_midi: Iterable[int] | None = None,
    eval_levels: Iterable[float] | None = None,
    name: str | None = None,
    overwrite: bool = False,
) -> Any:
    """Fine-tune a bundle's model against aliasing and write the student as a new bundle.

    ``lam`` is λ, the NMR weight (``w_nmr``); ``steps`` overrides the recipe's; ``eval_midi`` /
    ``eval_levels`` shrink the before/after evaluation set (default: the full set). The new
    bundle's manifest gets a section ``antialias`` = {teacher (name, weights sha256), recipe and loss
    weights, seed, steps, wall time, s/step, before/after metric summaries over the evaluation set,
    teacher_training}. Checkpoints go to `checkpoint_path(out_path)` and are removed on success;
    ``resume`` continues one. Unsupported architectures raise `ConfigError`.
    """
    from ..bundle import Bundle
    from ..errors import BundleError
    from .evaluate import evaluate_aliasing

    teacher_bundle = bundle if isinstance(bundle, Bundle) else Bundle.load(bundle)
    arch = teacher_bundle.manifest.get("model", {}).get("config", {}).get("arch")
    if arch not in SUPPORTED_ARCHS:
        raise ConfigError(f"{teacher_bundle.path}: architecture {arch!r} cannot be anti-alias fine-tuned "
                          f"(supported: {', '.join(SUPPORTED_ARCHS)})")
    out = Path(out_path)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise BundleError(f"{out}: already exists and is not empty (choose another --out or remove it)")
    rate = teacher_bundle.sample_rate
    if isinstance(recipe, str):
        recipe = get_recipe(recipe)
    recipe = replace(
        recipe,
        **{k: v for k, v in {"w_nmr": lam, "steps": steps, "w_esr": w_esr, "w_dc": w_dc}.items() if v is not None},
    )
    if eval_midi is not None:
        recipe = replace(recipe, eval_midi=[int(m) for m in eval_midi])
    if eval_levels is not None:
        recipe = replace(recipe, eval_levels=[float(v) for v in eval_levels])
    teacher = teacher_bundle.load_model(_DTYPES[recipe.dtype])
    check_supported(teacher)
    recipe = recipe.resolved(teacher)

    ckpt = checkpoint_path(out)
    if ckpt.exists() and not resume:
        ckpt.unlink()
    result = finetune(teacher, rate, recipe, seed=seed, checkpoint=ckpt, resume=resume, progress=progress)

    eval_kw = {"midi": recipe.eval_midi, "levels": recipe.eval_levels}
    before = evaluate_aliasing(teacher, rate, teacher=teacher, **eval_kw)
    after = evaluate_aliasing(result.student, rate, teacher=teacher, **eval_kw)
    weights = teacher_bundle.manifest.get("weights", "model.safetensors")
    section = {
        "teacher": {
            "name": teacher_bundle.name,
            "path": str(teacher_bundle.path),
            "weights_sha256": teacher_bundle.manifest["files"].get(weights, {}).get("sha256"),
        },
        "method": "teacher-student fine-tuning on band-limited sine tones (Carson et al., DAFx 2025)",
        "recipe": recipe.to_dict(),
        "loss_weights": {"esr": recipe.w_esr, "nmr": recipe.w_nmr, "dc": recipe.w_dc},
        "seed": int(seed),
        "steps": result.steps,
        "wall_time_s": round(result.wall_time_s, 2),
        "seconds_per_step": round(result.seconds_per_step, 4),
        "resumed_from_step": result.resumed_from,
        "clipped_steps": result.clipped_steps,
        "eval_set": {"midi": recipe.eval_midi, "levels_db": recipe.eval_levels, "tones": after["n_tones"]},
        "before": before["summary"],
        "after": after["summary"],
        "history_nmr_db": [round(v, 3) for v in result.history["nmr_db"]],
        "teacher_training": teacher_bundle.manifest.get("training", {}),
    }
    new = save_student(out, result.student, rate, teacher_bundle.name, recipe, result.steps, section=section,
                       metrics={"aliasing": after["summary"]}, name=name or out.name, overwrite=overwrite)
    ckpt.unlink(missing_ok=True)
    return new
