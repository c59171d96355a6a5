"""Training: data sources, losses, recipes, the resumable loop, and bundle output.

    data = load_training_data(pedal="overdrive", rate=48000)
    result = train(data, {"arch": "lstm", "hidden": 16}, "export/od-lstm16", recipe="default", seed=0)
    result.metrics["esr"], result.bundle.path
"""

from __future__ import annotations

from .data import TrainingData, load_training_data, time_splits
from .losses import TrainingLoss, dc_loss, esr, first_order_highpass, signal_metrics
from .recipes import RECIPES, Recipe, get_recipe
from .trainer import FitResult, TrainResult, fit, train

__all__ = [
    "RECIPES",
    "FitResult",
    "Recipe",
    "TrainResult",
    "TrainingData",
    "TrainingLoss",
    "dc_loss",
    "esr",
    "first_order_highpass",
    "fit",
    "get_recipe",
    "load_training_data",
    "signal_metrics",
    "time_splits",
    "train",
]
