"""2× oversampling baselines for the anti-aliasing comparison (spec §6, paper Table 1 "OS2" columns).

Both wrappers run the base-rate model at 2·Fs between a band-limited up-sampler and down-sampler:

    x (Fs) → ↑2, FIR h → model at 2·Fs → FIR h, ↓2 → y (Fs)

* `OversampledRecurrent`: the delay-line method for sample-rate-independent RNNs (Carson et al.,
  DAFx24): at 2·Fs the recurrence reads its state from 2 samples back,
      h[n] = cell(x₂[n], h[n − 2]),   y₂[n] = w·h[n] + b + x₂[n],
  so the even and the odd samples of the 2× signal form two independent chains, each an ordinary
  run of the base-rate cell. They are run as one batch of 2B sequences (no per-sample Python loop).
* `OversampledTCN`: a copy of the TCN with every dilation doubled, so each tap spans the same time
  as at the base rate.

The resampling filter h is one linear-phase Kaiser-windowed sinc (K = 255 taps at 2·Fs, β = 10,
≈ 100 dB stop band), cut off at the base rate's Nyquist (its −6 dB point): pass band to ≈ 0.95·Fs/2,
stop band from ≈ 1.05·Fs/2. Up-sampling uses gain 2 (zero stuffing halves the level).

Streaming and latency: the filters are causal FIRs with their histories kept in the state, so
block processing equals one-shot processing. Each filter delays by (K − 1)/2 samples at 2·Fs, the
pair by ``latency`` = (K − 1)/2 samples at Fs. With ``compensate=True`` (default) ``process``
appends ``latency`` zeros and drops the first ``latency`` outputs, giving the zero-phase result
aligned with the base-rate model (for comparisons against it or a teacher; the last ≈ latency
samples then see the zero padding). ``compensate=False`` returns the causal (delayed) output, which
is the right choice for the self-referenced metrics (ESR-S/NMR-S): nothing in the last second is
touched by the end of the signal.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import torch
from scipy.signal import firwin

from ..errors import ConfigError
from ..models import RecurrentModel, StreamingModel, TCNModel, build_model
from ..models.base import State

FILTER_TAPS = 255
KAISER_BETA = 10.0


def halfband_filter(taps: int = FILTER_TAPS, beta: float = KAISER_BETA) -> np.ndarray:
    """Linear-phase low-pass at 2·Fs with its −6 dB point at Fs/2 (0.5 of the 2× Nyquist)."""
    if taps % 2 == 0:
        raise ConfigError("the resampling filter needs an odd number of taps (integer delay)")
    return firwin(taps, 0.5, window=("kaiser", beta)).astype(np.float64)


class _Oversampled(StreamingModel):
    """Shared machinery: causal up/down FIRs with streaming state around an inner 2× model."""

    def __init__(self, inner: StreamingModel, taps: int, compensate: bool) -> None:
        super().__init__()
        self.inner = inner
        self.arch = f"{inner.arch}-os2"
        self.compensate = bool(compensate)
        h = torch.tensor(halfband_filter(taps))
        self.register_buffer("h", h.to(inner._ref_param().dtype))
        self.taps = int(taps)

    @property
    def latency(self) -> int:
        """Delay of the up+down filter pair, in base-rate samples."""
        return (self.taps - 1) // 2

    def config(self) -> dict[str, Any]:
        return {"arch": self.arch, "inner": self.inner.config(), "taps": self.taps}

    def macs_per_sample(self) -> int:
        # Polyphase up (K/2 per 2× sample pair ≈ K per input) and down (K per output) filters.
        return 2 * self.inner.macs_per_sample() + 2 * self.taps

    def _fir(self, x: torch.Tensor, hist: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Causal FIR of x (B, T) with the previous K−1 inputs in ``hist``."""
        full = torch.cat([hist, x], dim=-1)
        kernel = self.h.flip(0).to(x.dtype).view(1, 1, -1)  # conv1d correlates; flip for convolution
        y = torch.nn.functional.conv1d(full.unsqueeze(1), kernel).squeeze(1)
        return y, full[:, full.shape[-1] - (self.taps - 1) :]

    def upsample(self, x: torch.Tensor, hist: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.zeros(x.shape[0], 2 * x.shape[1], dtype=x.dtype, device=x.device)
        z[:, 0::2] = 2.0 * x  # zero stuffing; gain 2 restores the level
        return self._fir(z, hist)

    def downsample(self, y2: torch.Tensor, hist: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y, hist = self._fir(y2, hist)
        return y[:, 0::2], hist

    def initial_state(self, batch: int = 1) -> State:
        p = self.h
        zeros = torch.zeros(batch, self.taps - 1, dtype=self.inner._ref_param().dtype, device=p.device)
        return (zeros, zeros.clone(), *self._inner_initial(batch))

    def state_batch(self, state: State) -> int:
        return state[0].shape[0]

    def step(self, x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        up_hist, down_hist, inner = state[0], state[1], state[2:]
        x2, up_hist = self.upsample(x, up_hist)
        y2, inner = self._inner_step(x2, inner)
        y, down_hist = self.downsample(y2, down_hist)
        return y, (up_hist, down_hist, *inner)

    @torch.no_grad()
    def process(self, x: torch.Tensor, block: int | None = None) -> torch.Tensor:
        """Whole-signal inference from rest; with ``compensate`` the output is latency-aligned."""
        if not self.compensate:
            return super().process(x, block)
        pad = torch.zeros(*x.shape[:-1], self.latency, dtype=x.dtype, device=x.device)
        y = super().process(torch.cat([x, pad], dim=-1), block)
        return y[..., self.latency :]

    # to be provided
    def _inner_initial(self, batch: int) -> State:
        raise NotImplementedError

    def _inner_step(self, x2: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        raise NotImplementedError


class OversampledRecurrent(_Oversampled):
    """A `RecurrentModel` run at 2·Fs with the delay-line recurrence h[n] = cell(x[n], h[n−2])."""

    def __init__(self, model: RecurrentModel, taps: int = FILTER_TAPS, compensate: bool = True) -> None:
        if not isinstance(model, RecurrentModel):
            raise ConfigError(f"OversampledRecurrent needs an LSTM/GRU model, got {type(model).__name__}")
        super().__init__(copy.deepcopy(model).eval(), taps, compensate)

    def _inner_initial(self, batch: int) -> State:
        # Two chains (even and odd 2× samples) stacked along the batch: [even 0..B-1, odd 0..B-1].
        return self.inner.initial_state(2 * batch)

    def _inner_step(self, x2: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        b = x2.shape[0]
        chains = torch.cat([x2[:, 0::2], x2[:, 1::2]], dim=0)  # (2B, T): the two delay-line chains
        y_chains, state = self.inner.step(chains, state)
        y2 = torch.empty_like(x2)
        y2[:, 0::2] = y_chains[:b]
        y2[:, 1::2] = y_chains[b:]
        return y2, state


class OversampledTCN(_Oversampled):
    """A `TCNModel` copy with every dilation doubled, run at 2·Fs."""

    def __init__(self, model: TCNModel, taps: int = FILTER_TAPS, compensate: bool = True) -> None:
        if not isinstance(model, TCNModel):
            raise ConfigError(f"OversampledTCN needs a TCN model, got {type(model).__name__}")
        cfg = model.config()
        for arr in cfg["layers"]:
            arr["dilations"] = [2 * int(d) for d in arr["dilations"]]
        cfg.pop("preset", None)
        inner = build_model(cfg)
        inner.load_state_dict(model.state_dict())  # same shapes: only the dilations differ
        inner.head_scale = model.head_scale
        p = model._ref_param()
        super().__init__(inner.to(dtype=p.dtype, device=p.device).eval(), taps, compensate)

    def _inner_initial(self, batch: int) -> State:
        return self.inner.initial_state(batch)

    def _inner_step(self, x2: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        return self.inner.step(x2, state)

    @property
    def receptive_field(self) -> int:
        return math.ceil(self.inner.receptive_field / 2) + self.taps


def oversample2x(model: StreamingModel, compensate: bool = True) -> StreamingModel:
    """The 2× oversampled baseline of ``model`` (LSTM/GRU: delay line; TCN: doubled dilations)."""
    if isinstance(model, RecurrentModel):
        return OversampledRecurrent(model, compensate=compensate)
    if isinstance(model, TCNModel):
        return OversampledTCN(model, compensate=compensate)
    raise ConfigError(f"no 2x oversampling baseline for {type(model).__name__} (LSTM, GRU or TCN only)")


class FrequencyDomainOversampled(torch.nn.Module):
    """The paper's 2× baseline resampling (Sec. 4.4): whole signals converted to and from 2·Fs in
    the frequency domain, around the same inner 2× model as `oversample2x`.

        x₂ = 2·irfft₂ₙ(X zero-padded to 2n bins),   y = ½·irfftₙ(Y₂ cut to the base band)

    (for even n the Nyquist bin is halved going up and folded, 2·Re, coming down). The cut is an
    ideal brick wall; the DFT treats each tone as one period of a periodic signal, so the jump from
    its end to its start rings near both ends. Around our teachers and the paper's Broadcast LSTM
    it lands within 1 dB of the FIR pair's NMR-S (benchmarks/bench_os2_resampling.py). Whole
    signals only: no streaming, no state; ``process`` accepts [L] or [B, L] like the models'.
    """

    def __init__(self, model: StreamingModel) -> None:
        super().__init__()
        self.fir = oversample2x(model, compensate=False)  # holds the inner 2× model
        self.arch = f"{model.arch}-os2fft"

    @torch.no_grad()
    def process(self, x: torch.Tensor, block: int | None = None) -> torch.Tensor:
        del block  # whole signals: the DFT needs all of it
        squeeze = x.dim() == 1
        xb = (x.unsqueeze(0) if squeeze else x).to(torch.float64)
        n = xb.shape[-1]
        spec = torch.fft.rfft(xb)
        up = torch.zeros(xb.shape[0], n + 1, dtype=spec.dtype)
        up[:, : n // 2 + 1] = spec
        if n % 2 == 0:
            up[:, n // 2] *= 0.5  # the base-rate Nyquist bin splits between +Fs/2 and -Fs/2
        x2 = 2.0 * torch.fft.irfft(up, 2 * n)
        dtype = self.fir.inner._ref_param().dtype
        y2, _ = self.fir._inner_step(x2.to(dtype), self.fir._inner_initial(xb.shape[0]))
        spec2 = torch.fft.rfft(y2.to(torch.float64))
        down = spec2[:, : n // 2 + 1].clone()
        if n % 2 == 0:
            down[:, n // 2] = 2.0 * spec2[:, n // 2].real
        y = 0.5 * torch.fft.irfft(down, n)
        y = y.to(x.dtype)
        return y[0] if squeeze else y
