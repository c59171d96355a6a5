"""Training losses and test metrics (Wright, Damskägg & Välimäki 2019/2020).

With target y, prediction ŷ (all segments of a batch pooled) and a pre-emphasis filter P:

    ESR(ŷ, y) = Σ (y − ŷ)² / (Σ y² + ε)                       error-to-signal ratio
    DC(ŷ, y)  = mean_b( (1/N Σ_n (y − ŷ))² ) / (1/(BN) Σ y² + ε)   energy of the mean error

    loss = w_esr · ESR(Pŷ, Py) + w_dc · DC(ŷ, y) + w_mrstft · MRSTFT(ŷ, y)

Pre-emphasis filters P:

* ``"hp"``: first-order high-pass  e[n] = s[n] − c·s[n−1]  (c = 0.85), which stops the loss being
  dominated by the loud low end of guitar signals;
* ``"aw"``: auraloss's 101-tap A-weighting FIR at the sample rate (perceptual weighting);
* ``"none"``: the plain ESR.

The DC term is computed on the un-emphasised signals (a high-pass would remove the very offset it
measures). MRSTFT is auraloss's multi-resolution STFT loss (spectral convergence + log-magnitude
over FFT sizes 512/1024/2048); it is off by default because it costs more than the model on CPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..errors import ConfigError

EPS = 1e-10
PREEMPHASIS = ("none", "hp", "aw")


def esr(pred: torch.Tensor, target: torch.Tensor, eps: float = EPS) -> torch.Tensor:
    """Error-to-signal ratio Σ(y − ŷ)² / (Σy² + ε), pooled over every element."""
    return ((target - pred) ** 2).sum() / ((target**2).sum() + eps)


def dc_loss(pred: torch.Tensor, target: torch.Tensor, eps: float = EPS) -> torch.Tensor:
    """DC error: mean over segments of (mean_n (y − ŷ))², over the mean energy of y."""
    if pred.dim() == 1:
        pred, target = pred.unsqueeze(0), target.unsqueeze(0)
    return ((target - pred).mean(dim=-1) ** 2).mean() / ((target**2).mean() + eps)


def first_order_highpass(x: torch.Tensor, coef: float = 0.85) -> torch.Tensor:
    """e[n] = x[n] − c·x[n−1] over the last axis; the first sample (no predecessor) is dropped."""
    return x[..., 1:] - coef * x[..., :-1]


class PreEmphasis(nn.Module):
    """The filter P applied to both prediction and target before the ESR."""

    def __init__(self, kind: str = "hp", rate: int = 48000, coef: float = 0.85) -> None:
        super().__init__()
        if kind not in PREEMPHASIS:
            raise ConfigError(f"unknown pre-emphasis {kind!r}; choose one of {', '.join(PREEMPHASIS)}")
        self.kind, self.coef = kind, float(coef)
        self.fir = None
        if kind == "aw":
            import auraloss

            self.fir = auraloss.perceptual.FIRFilter(filter_type="aw", fs=int(rate))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "hp":
            return first_order_highpass(x, self.coef)
        if self.kind == "aw":
            squeeze = x.dim() == 1
            x3 = x.reshape(-1, 1, x.shape[-1])
            y = torch.nn.functional.conv1d(x3, self.fir.fir.weight, padding=self.fir.ntaps // 2)
            y = y.reshape(*x.shape[:-1], -1)
            return y.squeeze(0) if squeeze and y.dim() > 1 else y
        return x


@dataclass(frozen=True)
class LossWeights:
    esr: float = 1.0
    dc: float = 1.0
    mrstft: float = 0.0


class TrainingLoss(nn.Module):
    """w_esr·ESR(Pŷ, Py) + w_dc·DC(ŷ, y) + w_mrstft·MRSTFT(ŷ, y) on (batch, time) tensors."""

    def __init__(
        self,
        rate: int = 48000,
        preemphasis: str = "hp",
        coef: float = 0.85,
        weights: LossWeights | None = None,
    ) -> None:
        super().__init__()
        self.weights = weights or LossWeights()
        self.pre = PreEmphasis(preemphasis, rate, coef)
        self.mrstft = None
        if self.weights.mrstft > 0:
            import auraloss

            self.mrstft = auraloss.freq.MultiResolutionSTFTLoss(
                fft_sizes=[1024, 2048, 512], hop_sizes=[120, 240, 50], win_lengths=[600, 1200, 240]
            )

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        """The loss and its parts (as floats, for logging)."""
        parts: dict[str, torch.Tensor] = {}
        total = torch.zeros((), dtype=pred.dtype)
        if self.weights.esr:
            parts["esr"] = esr(self.pre(pred), self.pre(target))
            total = total + self.weights.esr * parts["esr"]
        if self.weights.dc:
            parts["dc"] = dc_loss(pred, target)
            total = total + self.weights.dc * parts["dc"]
        if self.mrstft is not None:
            p2 = pred.reshape(-1, 1, pred.shape[-1])
            parts["mrstft"] = self.mrstft(p2, target.reshape(-1, 1, target.shape[-1]))
            total = total + self.weights.mrstft * parts["mrstft"]
        return total, {k: float(v.detach()) for k, v in parts.items()}


def mrstft_value(pred: np.ndarray, target: np.ndarray, chunk: int = 1 << 18) -> float:
    """auraloss's multi-resolution STFT distance of two long signals (mean over chunks)."""
    import auraloss

    loss = auraloss.freq.MultiResolutionSTFTLoss()
    values, weights = [], []
    with torch.no_grad():
        for i in range(0, len(target), chunk):
            p, t = pred[i : i + chunk], target[i : i + chunk]
            if len(t) < 4096:  # shorter than the largest FFT window: not a meaningful spectrum
                continue
            pt = torch.from_numpy(np.ascontiguousarray(p, dtype=np.float32)).view(1, 1, -1)
            tt = torch.from_numpy(np.ascontiguousarray(t, dtype=np.float32)).view(1, 1, -1)
            values.append(float(loss(pt, tt)))
            weights.append(len(t))
    return float(np.average(values, weights=weights)) if values else float("nan")


def signal_metrics(pred: np.ndarray, target: np.ndarray, rate: int) -> dict[str, float]:
    """Figures of a prediction against its target (1-D float arrays of the same length).

    esr = Σ(y−ŷ)²/Σy², esr_db = 10·log10(esr), dc = (mean(y−ŷ))²/mean(y²),
    esr_preemph = ESR after the 0.85 first-order high-pass, peak_error = max|y − ŷ|.
    """
    p = torch.from_numpy(np.asarray(pred, dtype=np.float64))
    t = torch.from_numpy(np.asarray(target, dtype=np.float64))
    e = float(esr(p, t))
    return {
        "esr": e,
        "esr_db": float(10.0 * np.log10(max(e, 1e-20))),
        "dc": float(dc_loss(p, t)),
        "mrstft": mrstft_value(np.asarray(pred), np.asarray(target)),
        "esr_preemph": float(esr(first_order_highpass(p), first_order_highpass(t))),
        "peak_error": float(np.max(np.abs(np.asarray(target, np.float64) - np.asarray(pred, np.float64)))),
        "duration_s": round(len(target) / rate, 3),
    }
