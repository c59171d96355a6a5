"""Resumable training checkpoints (``checkpoint.pt``), safe to load.

A checkpoint is a dict of plain tensors, numbers, strings, lists and dicts written with
``torch.save`` (atomically: temp file + rename) after every epoch, and read back ONLY with
``torch.load(..., weights_only=True)``, which refuses arbitrary pickled objects. The numpy
generator state (whose 128-bit integers the safe loader does not take) is stored as JSON text.

Where: ``<out>.ckpt/checkpoint.pt`` beside the bundle folder ``<out>`` (the bundle folder is
replaced as a whole when the bundle is written, so the checkpoint lives outside it). A finished
run deletes it; an interrupted one leaves it for ``--resume``.

    {"format": "edgefx-train-checkpoint", "version": 1,
     "model_config": json, "recipe": {...}, "seed": int, "data": {x_sha256, y_sha256},
     "epoch": completed epochs, "model": state_dict, "optimizer": state_dict,
     "scheduler": state_dict, "best": {"val_esr", "epoch", "model"}, "bad_epochs": int,
     "history": [...], "elapsed_s": float, "rng": {"torch": ByteTensor}}
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from ..errors import ConfigError

FORMAT = "edgefx-train-checkpoint"
VERSION = 1
FILENAME = "checkpoint.pt"


def checkpoint_path(out: str | Path) -> Path:
    """Where the checkpoint of the bundle ``out`` lives: ``<out>.ckpt/checkpoint.pt``."""
    out = Path(out)
    return out.parent / f"{out.name}.ckpt" / FILENAME


def save_checkpoint(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        torch.save({"format": FORMAT, "version": VERSION, **payload}, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint with the safe loader; a damaged or foreign file raises `ConfigError`."""
    if not path.is_file():
        raise ConfigError(f"{path}: no checkpoint to resume from (run without --resume to start afresh)")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # the safe unpickler raises several types on damaged/foreign files
        raise ConfigError(f"{path}: unreadable checkpoint ({str(exc).splitlines()[0]})") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ConfigError(f"{path}: not an edgefx training checkpoint")
    if int(ckpt.get("version", 0)) > VERSION:
        raise ConfigError(f"{path}: checkpoint version {ckpt.get('version')} is newer than this edgefx reads")
    return ckpt


def remove_checkpoint(path: Path) -> None:
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()  # only if empty
    except OSError:
        pass
