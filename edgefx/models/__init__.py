"""Models in their training form. Each has the streaming semantics of its C kernel.

    build_model({"arch": "lstm", "hidden": 16})        -> RecurrentModel
    build_model({"arch": "tcn", **tcn_preset("nano")}) -> TCNModel
    model_from_args("lstm", hidden=16) / model_from_args("tcn", preset="nano")
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .base import State, StreamingModel
from .recurrent import RecurrentModel
from .tcn import TCN_PRESETS, TCNModel, tcn_preset

ARCHS = ("lstm", "gru", "tcn")
RECURRENT_PRESETS = {"nano": 8, "feather": 12, "standard": 16}

__all__ = [
    "ARCHS",
    "RECURRENT_PRESETS",
    "TCN_PRESETS",
    "RecurrentModel",
    "State",
    "StreamingModel",
    "TCNModel",
    "build_model",
    "model_from_args",
    "tcn_preset",
]


def build_model(config: dict[str, Any]) -> StreamingModel:
    """Rebuild a model from its ``config()`` dict (as stored in a bundle manifest)."""
    arch = config.get("arch")
    if arch in ("lstm", "gru"):
        return RecurrentModel(cell=arch, hidden=int(config.get("hidden", 16)), skip=bool(config.get("skip", True)))
    if arch == "tcn":
        if "layers" not in config:
            raise ConfigError("a TCN config needs 'layers' (or use tcn_preset(name))")
        return TCNModel(config["layers"], float(config.get("head_scale", 0.02)), config.get("preset"))
    raise ConfigError(f"unknown architecture {arch!r}; choose one of {list(ARCHS)}")


def model_from_args(
    arch: str, hidden: int | None = None, preset: str | None = None, gated: bool = False
) -> StreamingModel:
    """The model the CLI's ``--arch/--hidden/--preset/--gated`` describe."""
    if arch in ("lstm", "gru"):
        if hidden is None:
            if preset is not None and preset not in RECURRENT_PRESETS:
                raise ConfigError(f"unknown preset {preset!r}; choose one of {sorted(RECURRENT_PRESETS)}")
            hidden = RECURRENT_PRESETS[preset or "standard"]
        return RecurrentModel(arch, hidden)
    if arch == "tcn":
        if hidden is not None:
            raise ConfigError("--hidden applies to lstm/gru; give a TCN --preset nano|feather|lite|standard")
        return build_model(tcn_preset(preset or "nano", gated=gated))
    raise ConfigError(f"unknown architecture {arch!r}; choose one of {list(ARCHS)}")
