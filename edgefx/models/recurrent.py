"""Single-layer LSTM / GRU with a linear head and an input skip.

    h[n] = cell(x[n], h[n-1])          (torch's gate order: LSTM i,f,g,o; GRU r,z,n)
    y[n] = w·h[n] + b + s·x[n]         (s = 1 with the skip, as in Wright et al. and GuitarML)

The skip lets the network learn only the difference from a clean signal, which is what makes a
hidden size of 8–16 enough for many drive pedals.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..errors import ConfigError
from .base import State, StreamingModel

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}
HIDDEN_RANGE = (1, 128)


class RecurrentModel(StreamingModel):
    """One recurrent layer (LSTM or GRU), linear head, optional input skip."""

    def __init__(self, cell: str = "lstm", hidden: int = 16, skip: bool = True) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ConfigError(f"unknown recurrent cell {cell!r}; choose one of {sorted(CELLS)}")
        if not HIDDEN_RANGE[0] <= int(hidden) <= HIDDEN_RANGE[1]:
            raise ConfigError(f"hidden size {hidden} out of range {HIDDEN_RANGE}")
        self.arch = cell
        self.cell = cell
        self.hidden = int(hidden)
        self.skip = bool(skip)
        self.rnn = CELLS[cell](input_size=1, hidden_size=self.hidden, batch_first=True)
        self.head = nn.Linear(self.hidden, 1)

    def config(self) -> dict[str, Any]:
        return {"arch": self.cell, "hidden": self.hidden, "skip": self.skip}

    def initial_state(self, batch: int = 1) -> State:
        p = self._ref_param()
        zeros = torch.zeros(1, batch, self.hidden, dtype=p.dtype, device=p.device)
        return (zeros, zeros.clone()) if self.cell == "lstm" else (zeros,)

    def state_batch(self, state: State) -> int:
        return state[0].shape[1]  # torch recurrent states are (layers, batch, hidden)

    def step(self, x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        rnn_state = state if self.cell == "lstm" else state[0]
        h, new = self.rnn(x.unsqueeze(-1), rnn_state)
        y = self.head(h).squeeze(-1)
        if self.skip:
            y = y + x
        new_state = tuple(new) if self.cell == "lstm" else (new,)
        return y, new_state

    def macs_per_sample(self) -> int:
        gates = 4 if self.cell == "lstm" else 3
        # gate matvecs over [x, h] plus the head; GRU adds r ⊙ (W_hn h), counted in the matvec.
        return gates * self.hidden * (self.hidden + 1) + self.hidden
