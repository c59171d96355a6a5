"""The PyTorch engine: the bundle's model in its training form (the reference of every check)."""

from __future__ import annotations

import numpy as np
import torch

from ..bundle import Bundle


class TorchEngine:
    name = "torch"

    def __init__(self, bundle: Bundle, dtype: torch.dtype = torch.float32) -> None:
        self.model = bundle.load_model(dtype)
        self.dtype = dtype

    def reset(self) -> None:
        self.model.reset()

    @torch.no_grad()
    def process(self, x: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(np.asarray(x, dtype=np.float32)).to(self.dtype)
        return self.model(t).to(torch.float32).numpy()
