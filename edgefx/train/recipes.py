"""Training recipes: every hyper-parameter of a run, named and recorded in the bundle.

``default`` is sized for a 2-core CPU (a few minutes for LSTM-16 / TCN nano on the built-in
pedals); ``paper`` follows Wright, Damskägg & Välimäki (2020, "Real-time guitar amplifier
emulation with deep learning"): 0.5 s segments, batch 50, 1000-sample warm-up, TBPTT frames of
2048 samples, Adam 5e-4, ESR+DC with the 0.85 high-pass, plateau schedule, early stopping with
patience 20, up to 750 epochs — hours to days on a CPU.

Recurrent models (truncated back-propagation through time):
    each batch = ``batch_size`` segments of ``segment_s`` seconds; the first ``warmup`` samples run
    without gradient (the state settles from rest), then frames of ``frame`` samples, one
    optimiser step per frame, the state detached between frames.
TCNs:
    each example = ``tcn_segment`` output samples with receptive_field − 1 samples of left
    context (zero-padded at the start of a region); the loss ignores the context part.
    ``tcn_steps`` optimiser steps make an epoch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError


@dataclass(frozen=True)
class Recipe:
    name: str = "default"
    epochs: int = 40
    max_minutes: float | None = 4.5  # wall-time budget for the training loop (None: unlimited)
    duration_s: float = 180.0  # capture-signal length for built-in pedals
    # optimiser and schedule
    lr: float = 5e-3  # recurrent models
    lr_tcn: float = 4e-3
    grad_clip: float | None = 1.0  # max gradient norm (tames the first steps of the LSTM)
    scheduler: str = "plateau"  # "plateau" (on val ESR) | "cosine" (over `epochs`) | "none"
    plateau_factor: float = 0.5
    plateau_patience: int = 2
    min_lr: float = 1e-5
    patience: int = 8  # early stopping: epochs without a better val ESR
    # recurrent TBPTT
    batch_size: int = 32
    segment_s: float = 0.5
    warmup: int = 1000
    frame: int = 2048
    # TCN
    tcn_batch_size: int = 8
    tcn_segment: int = 8192
    tcn_steps: int = 100
    # loss
    preemphasis: str = "hp"
    preemph_coef: float = 0.85
    w_esr: float = 1.0
    w_dc: float = 1.0
    w_mrstft: float = 0.0
    # validation: the first `val_max_s` seconds of the val split (None: all), run from rest
    val_max_s: float | None = 10.0
    # torch threads. 1 is deliberate: these models' matrices are tiny (16x64), so extra threads only
    # add synchronisation; measured on a busy 2-core machine, 2 threads made an LSTM-16 step 10-30x
    # slower in CPU time than 1 thread, and a TCN nano step ~20x slower.
    threads: int = 1

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def resume_key(self) -> dict[str, Any]:
        """The fields a resumed run must share with the checkpoint (budgets may change)."""
        d = self.to_dict()
        for k in ("epochs", "max_minutes", "patience", "threads"):
            d.pop(k)
        return d


RECIPES: dict[str, Recipe] = {
    "default": Recipe(),
    "paper": Recipe(
        name="paper",
        epochs=750,
        max_minutes=None,
        lr=5e-4,
        lr_tcn=5e-4,
        grad_clip=None,
        plateau_factor=0.5,
        plateau_patience=5,
        min_lr=1e-6,
        patience=20,
        batch_size=50,
        segment_s=0.5,
        warmup=1000,
        frame=2048,
        tcn_batch_size=32,
        tcn_segment=16384,
        tcn_steps=400,
        val_max_s=None,
    ),
}


def get_recipe(name: str = "default", **overrides: Any) -> Recipe:
    """A named recipe with some fields replaced (``None`` overrides are ignored)."""
    if name not in RECIPES:
        raise ConfigError(f"unknown recipe {name!r}; choose one of {', '.join(RECIPES)}")
    fields = {f.name for f in dataclasses.fields(Recipe)}
    unknown = set(overrides) - fields
    if unknown:
        raise ConfigError(f"unknown recipe setting(s) {', '.join(sorted(unknown))}")
    recipe = dataclasses.replace(RECIPES[name], **{k: v for k, v in overrides.items() if v is not None})
    _validate(recipe)
    return recipe


def _validate(r: Recipe) -> None:
    if r.epochs < 1:
        raise ConfigError(f"epochs must be >= 1 (got {r.epochs})")
    if r.max_minutes is not None and r.max_minutes <= 0:
        raise ConfigError(f"max minutes must be > 0 (got {r.max_minutes})")
    if r.scheduler not in ("plateau", "cosine", "none"):
        raise ConfigError(f"unknown scheduler {r.scheduler!r}; choose plateau, cosine or none")
    if min(r.batch_size, r.frame, r.tcn_batch_size, r.tcn_segment, r.tcn_steps) < 1 or r.warmup < 0:
        raise ConfigError("batch sizes, frame and segment lengths must be positive")
    if r.duration_s <= 0 or r.segment_s <= 0:
        raise ConfigError("durations must be positive")
