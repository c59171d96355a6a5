"""The streaming-model contract shared by every architecture.

A model processes mono audio shaped (batch, time). Its state is explicit: ``step(x, state)``
is a pure function returning ``(y, new_state)``, which is what the generated C, the ONNX graph
and the TFLite graph compute. ``forward(x)`` is the stateful convenience on top of it: it
carries the state across calls, so one call over a signal and calls over consecutive blocks of
any sizes (including 1) give the same output.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

State = tuple[torch.Tensor, ...]


class StreamingModel(nn.Module):
    """Base class: explicit-state ``step`` plus a stateful ``forward``."""

    arch: str = ""

    def __init__(self) -> None:
        super().__init__()
        self._state: State | None = None

    # --- to be provided by each architecture -------------------------------------------------
    def config(self) -> dict[str, Any]:
        """A JSON-able description from which `edgefx.models.build_model` rebuilds the model."""
        raise NotImplementedError

    def initial_state(self, batch: int = 1) -> State:
        """The state at rest (all zeros), on the model's device and dtype."""
        raise NotImplementedError

    def step(self, x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """Process a block ``x`` (batch, time) from ``state``; returns (y, new_state)."""
        raise NotImplementedError

    def macs_per_sample(self) -> int:
        """Multiply-accumulates per output sample (matrix-vector products and head)."""
        raise NotImplementedError

    @property
    def receptive_field(self) -> int:
        """Samples of input that influence one output sample (1 + history length; 1 for RNNs,
        whose memory is unbounded but carried in the state)."""
        return 1

    # --- shared behaviour ---------------------------------------------------------------------
    @property
    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def _ref_param(self) -> torch.Tensor:
        return next(self.parameters())

    def reset(self) -> None:
        """Forget the carried state: the next ``forward`` starts from rest."""
        self._state = None

    def detach_state(self) -> None:
        """Cut the autograd graph at the carried state (truncated BPTT)."""
        if self._state is not None:
            self._state = tuple(s.detach() for s in self._state)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Stateful processing of (batch, time) or (time,) audio; the state carries over."""
        squeeze = x.dim() == 1
        if squeeze:
            x = x.unsqueeze(0)
        if self._state is None or self.state_batch(self._state) != x.shape[0]:
            self._state = self.initial_state(x.shape[0])
        y, self._state = self.step(x, self._state)
        return y.squeeze(0) if squeeze else y

    def state_batch(self, state: State) -> int:
        """The batch size a state was made for."""
        return state[0].shape[0]

    @torch.no_grad()
    def process(self, x: torch.Tensor, block: int | None = None) -> torch.Tensor:
        """Inference over a whole signal from rest, optionally in fixed-size blocks."""
        self.reset()
        if block is None:
            y = self.forward(x)
        else:
            y = torch.cat([self.forward(x[..., i : i + block]) for i in range(0, x.shape[-1], block)], -1)
        self.reset()
        return y
