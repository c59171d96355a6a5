"""Inference engines: the same bundle run by different executors.

    engine = open_engine("torch", bundle)    # or c, c-fast, onnx, tflite, ...
    y = engine.process(x)                    # float32 numpy, state carried across calls
    engine.reset()

Engines live in their own modules and are imported only when asked for, so a missing optional
piece (a compiler, a converter) affects only the engine that needs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..errors import ConfigError

if TYPE_CHECKING:  # importing the bundle module pulls in torch; the CLI's --help should not
    from ..bundle import Bundle

# engine name -> (module, factory function); factories take (bundle, **options).
ENGINES: dict[str, tuple[str, str]] = {
    "torch": ("torch_engine", "TorchEngine"),
    "c": ("c_engine", "open_exact"),
    "c-fast": ("c_engine", "open_fast"),
    "onnx": ("onnx_engine", "OnnxEngine"),
    "tflite": ("tflite_engine", "TFLiteEngine"),
}


class Engine(Protocol):
    name: str

    def process(self, x: np.ndarray) -> np.ndarray: ...

    def reset(self) -> None: ...


def open_engine(name: str, bundle: Bundle, **options) -> Engine:
    """Open engine ``name`` on ``bundle``; unknown names raise `ConfigError` listing the known ones."""
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    module_name, factory = ENGINES[name]
    try:
        module = importlib.import_module(f".{module_name}", __package__)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(module_name):
            raise ConfigError(f"engine {name!r} is not available in this build of edgefx") from None
        raise
    return getattr(module, factory)(bundle, **options)


def run_blocks(engine: Engine, x: np.ndarray, block: int | None) -> np.ndarray:
    """Run a whole signal through ``engine`` from rest, in blocks of ``block`` samples."""
    engine.reset()
    x = np.ascontiguousarray(x, dtype=np.float32)
    if not block or block >= len(x):
        return engine.process(x)
    return np.concatenate([engine.process(x[i : i + block]) for i in range(0, len(x), block)])
