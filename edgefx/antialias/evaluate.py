"""Aliasing evaluation of a model or an inference engine over the sine-tone set (spec §1, §5).

    res = evaluate_aliasing(model, 44100)                         # torch model (batched)
    res = evaluate_aliasing(open_engine("c", bundle), 44100)      # any engine, tone by tone
    res["summary"]["nmr_s_db_mean"]                               # mean over tones of NMR-S in dB

The tone set is `edgefx.signals.tones.tone_set`: MIDI notes 21…108 at −36/−18/−6 dBFS, 1.2 s each,
zero phase; the metrics (`edgefx.antialias.metrics.aliasing_metrics`) look at the last second.
Summaries come three ways: ``<m>_db_mean`` = mean over tones of 10·log10(m), ``<m>_mean_db`` =
10·log10 of the mean of the linear values, and ``<m>_paper_db`` = (1/G) Σ_g 10·log10(mean of m over
the tones at input level g), the arithmetic mean over the G levels of each level's dB of the mean
(the paper's Table-1 averaging as we read it; see `edgefx.antialias.metrics`).

Guitar audio (`evaluate_guitar`): ESR = Σ(y − r)²/Σr² and the multi-resolution STFT distance of the
model output y against an alias-free reference r (a built-in pedal rendered with heavy
oversampling), on a synthetic DI guitar phrase.

Above-Nyquist share (`above_nyquist_share`): how much of an alias-free reference's output on the
tones lies above the model's Nyquist frequency, rendered at ``factor`` times the model's rate. A
1× model that reproduced the reference exactly would have to fold that energy back; a pedal whose
share is tiny leaves a model little to alias, whatever it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch

from ..audio import db
from ..engines import Engine, run_blocks
from ..errors import ConfigError
from ..signals.tones import tone_set
from ..threads import torch_threads
from .bandlimit import chebyshev_window
from .metrics import aliasing_metrics, esr, level_average_db, mrstft_distance

ReferenceFn = Callable[[np.ndarray, int], np.ndarray]
DEFAULT_LEVELS = (-36.0, -18.0, -6.0)
DEFAULT_MIDI = range(21, 109)
METRIC_NAMES = ("esr_s", "nmr_s", "esr_t", "nmr_t", "hesr_t", "esr_r", "nmr_r", "hesr_r")




def run_model(model_or_engine: Any, x: np.ndarray, *, block: int | None = None, batch: int = 16) -> np.ndarray:
    """Outputs [n, L] (float64) of a torch model or an engine for inputs ``x`` [n, L], each from rest.

    A torch ``nn.Module`` with ``process`` runs ``batch`` signals at a time in its own dtype; an
    engine (``process``/``reset`` on float32 numpy) runs signal by signal via `run_blocks`.
    """
    x = np.atleast_2d(np.asarray(x))
    if isinstance(model_or_engine, torch.nn.Module):
        model = model_or_engine
        dtype = next(model.parameters()).dtype
        out = np.empty(x.shape, dtype=np.float64)
        with torch_threads(1), torch.no_grad():
            for i in range(0, x.shape[0], batch):
                xt = torch.from_numpy(np.ascontiguousarray(x[i : i + batch])).to(dtype)
                out[i : i + batch] = model.process(xt, block).to(torch.float64).numpy()
        return out
    if hasattr(model_or_engine, "process") and hasattr(model_or_engine, "reset"):
        engine: Engine = model_or_engine
        return np.stack([run_blocks(engine, row, block).astype(np.float64) for row in x])
    raise ConfigError(f"cannot evaluate a {type(model_or_engine).__name__}: need a torch model or an engine")


def summary_of(metrics: dict) -> dict[str, float]:
    """The scalar summaries (``*_db_mean``, ``*_mean_db``, ``*_paper_db``) of an `aliasing_metrics` result."""
    return {k: float(v) for k, v in metrics.items() if k.endswith(("_db_mean", "_mean_db", "_paper_db"))}


def evaluate_aliasing(
    engine_or_model: Any,
    rate: int,
    *,
    teacher: Any = None,
    reference_fn: ReferenceFn | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    midi: Iterable[int] = DEFAULT_MIDI,
    block: int | None = None,
    duration_s: float = 1.2,
    batch: int = 16,
    guitar: bool = False,
) -> dict[str, Any]:
    """Aliasing metrics of a model/engine over the sine-tone set.

    ``teacher`` (model or engine) adds ESR-T, NMR-T, HESR-T against its band-limited output;
    ``reference_fn(x [n, L], rate) -> [n, L]`` (an alias-free reference) adds the -R metrics.
    ``block`` runs the tones through the model in blocks of that many samples (engines: as a
    streaming host would). With ``guitar`` and a ``reference_fn``, also the guitar-audio ESR and
    MR-STFT distance (`evaluate_guitar`) under "guitar". Raises `SignalError` for a note at/above
    Nyquist or tones under 1 s.

    Returns {"rate", "n_tones", "summary": {<m>_db_mean, <m>_mean_db, <m>_paper_db ...},
             "per_tone": {"midi", "f0", "level_db", <m>_db ...}} (lists, JSON-able).
    """
    tones, meta = tone_set(rate, duration_s, list(midi), [float(v) for v in levels])
    f0 = np.array([m["f0"] for m in meta])
    y = run_model(engine_or_model, tones, block=block, batch=batch)
    t = run_model(teacher, tones, block=block, batch=batch) if teacher is not None else None
    r = reference_fn(tones.astype(np.float64), rate) if reference_fn is not None else None
    m = aliasing_metrics(y, f0, rate, teacher=t, reference=r, levels=[d["level_db"] for d in meta])
    per_tone: dict[str, list] = {
        "midi": [d["midi"] for d in meta],
        "f0": f0.tolist(),
        "level_db": [d["level_db"] for d in meta],
    }
    for name in METRIC_NAMES:
        if f"{name}_db" in m:
            per_tone[f"{name}_db"] = np.asarray(m[f"{name}_db"], dtype=np.float64).tolist()
    out = {"rate": int(rate), "n_tones": len(meta), "summary": summary_of(m), "per_tone": per_tone}
    if guitar and reference_fn is not None:
        out["guitar"] = evaluate_guitar(engine_or_model, rate, reference_fn, block=block)
    return out


REFERENCE_OVERSAMPLE = 32


def reference_oversample(pedal: str, knobs: dict | None = None) -> int:
    """The alias-free reference's factor for a built-in pedal at ``knobs``: the heavier of
    `REFERENCE_OVERSAMPLE` (32×) and the pedal's own default (which a boost doubles)."""
    from ..pedals import get_pedal

    return max(REFERENCE_OVERSAMPLE, get_pedal(pedal, **dict(knobs or {})).oversample)


def pedal_reference(pedal: str, knobs: dict | None = None, oversample: int | None = None) -> ReferenceFn:
    """An alias-free reference: built-in pedal ``pedal`` rendered at ``oversample``× (per signal;
    default `reference_oversample`)."""
    from ..pedals import get_pedal

    if oversample is None:
        oversample = reference_oversample(pedal, knobs)
    p = get_pedal(pedal, oversample=oversample, **dict(knobs or {}))  # validates name and knobs now

    def ref(x: np.ndarray, rate: int) -> np.ndarray:
        x2 = np.atleast_2d(x)
        return np.stack([np.asarray(p.process(row.astype(np.float32), rate), dtype=np.float64) for row in x2])

    return ref


def evaluate_guitar(
    engine_or_model: Any,
    rate: int,
    reference_fn: ReferenceFn,
    *,
    duration_s: float = 8.0,
    seed: int = 0,
    block: int | None = None,
    skip_s: float = 0.1,
) -> dict[str, float]:
    """ESR (dB) and MR-STFT distance of the model on a synthetic DI guitar phrase vs the reference.

    The first ``skip_s`` seconds (start-up transients of model and reference) are left out.
    """
    from ..signals.guitar import guitar_phrase

    x = guitar_phrase(duration_s, rate, seed=seed)[None, :]
    y = run_model(engine_or_model, x, block=block)
    r = np.atleast_2d(reference_fn(x.astype(np.float64), rate))
    s = int(skip_s * rate)
    return {
        "guitar_esr_db": float(db(esr(y[:, s:], r[:, s:]))[0]),
        "guitar_mrstft": float(mrstft_distance(y[:, s:], r[:, s:], rate)),
    }


def above_nyquist_share(
    reference_fn: ReferenceFn,
    rate: int,
    *,
    factor: int = 4,
    levels: Sequence[float] = DEFAULT_LEVELS,
    midi: Iterable[int] = DEFAULT_MIDI,
    duration_s: float = 0.6,
    analysed_s: float = 0.4,
) -> dict[str, Any]:
    """Share of the reference's output energy above ``rate``/2, per tone of the evaluation set.

    The tones (same notes and levels as `evaluate_aliasing`) are made at ``factor``·``rate`` and
    run through ``reference_fn`` at that rate; on the last ``analysed_s`` seconds (Chebyshev window,
    120 dB) the share is  Σ_{f > rate/2} |Y(f)|² / Σ_f |Y(f)|².  Summaries as for the metrics:
    ``share_db_mean`` (mean of dB), ``share_mean_db`` (dB of the mean) and ``share_paper_db``
    (per input level the dB of the mean, then the mean over levels).
    """
    if isinstance(factor, bool) or int(factor) != factor or factor < 2:
        raise ConfigError(f"above_nyquist_share: factor must be a whole number >= 2, got {factor!r}")
    if not 0 < analysed_s < duration_s:
        raise ConfigError(f"above_nyquist_share: analysed_s must be in (0, duration_s), got {analysed_s}")
    hi_rate = int(rate) * int(factor)
    tones, meta = tone_set(hi_rate, duration_s, list(midi), [float(v) for v in levels])
    y = np.asarray(reference_fn(tones.astype(np.float64), hi_rate), dtype=np.float64)
    n = int(round(analysed_s * hi_rate))
    spec = np.abs(np.fft.rfft(y[:, -n:] * chebyshev_window(n), axis=-1)) ** 2
    above = np.fft.rfftfreq(n, 1.0 / hi_rate) > rate / 2
    share = spec[:, above].sum(axis=-1) / np.maximum(spec.sum(axis=-1), 1e-300)
    levels_per_tone = [d["level_db"] for d in meta]
    return {
        "rate": int(rate),
        "factor": int(factor),
        "summary": {
            "share_db_mean": float(np.mean(db(share))),
            "share_mean_db": float(db(np.mean(share))),
            "share_paper_db": level_average_db(share, levels_per_tone),
        },
        "per_tone": {
            "midi": [d["midi"] for d in meta],
            "level_db": levels_per_tone,
            "share_db": db(share).tolist(),
        },
    }
