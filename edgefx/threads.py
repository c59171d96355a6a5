"""How edgefx runs PyTorch: its models are tiny and sample-sequential, so one intra-op thread.

With 2+ threads every small op pays a thread hand-off; on a shared 2-core machine that made an
LSTM-16 pass 10-60x and a TCN nano about 20x slower than on one thread (measured while building
edgefx). Callers change the setting only inside `torch_threads`, which restores it afterwards,
so a library call never leaks a global thread count into its caller.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(n: int = 1) -> Iterator[int]:
    """Run torch on ``n`` intra-op threads (at most the cores) inside the block; yields the count."""
    n = max(1, min(int(n), os.cpu_count() or 1))
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(previous)
