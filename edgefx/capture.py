"""Re-amp capture pairs: check them, align them, split them.

A capture pair is the input the user played through the device (ideally our standard capture
signal, `edgefx.signals.capture`) and the device's recorded output (the target). `prepare_capture`
checks the pair (rates, channels, clipping, silence, lengths), measures and removes the latency,
checks the polarity and the repeatability of the re-amp, and writes an aligned pair plus
``capture.json``; `load_capture` reads it back for training.

Latency. With our signal the blip train at the start is matched against the target (one FFT
cross-correlation of the whole 1.5 s blip region over lags -0.3..+1 s), then every blip is
checked on its own: each must stand out of the local noise (peak >= 6x the RMS around it) and
give the same lag within one sample, else the alignment is refused as ambiguous. The end blips
give the clock drift. Without our signal (or without visible blips) the lag is the peak of the
normalised cross-correlation

    rho[l] = sum_n x[n] y[n + l] / sqrt(sum_n x[n]^2 * sum_n y[n + l]^2),   |l| <= 1 s

over 10 s of the input from its first non-silent sample; it must reach |rho| >= 0.1 and beat
every other peak further than 1 ms away by a factor 1 / 0.9. The sign of the peak is the
polarity; an inverting device is reported and, by default, kept (a model should learn it).

Repeatability. The validation segment is played twice; the ESR of the target's second copy
against its first, ESR = sum (y_b - y_a)^2 / sum y_a^2, above 0.01 means a noisy or time-varying
capture (a warning).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from math import gcd
from pathlib import Path

import numpy as np
import scipy.fft as sfft
from scipy.signal import resample_poly

from .audio import read_wav, write_wav
from .errors import CaptureError, ConfigError, SignalError
from .hashing import sha256_file
from .signals.capture import CaptureLayout, capture_layout, capture_signal

MAX_LAG_S = 1.0  # latency search range
CLIP_LEVEL = 0.999
HEAVY_CLIP_FRACTION = 0.001  # more clipped samples than this refuses the capture
SILENT_RMS_DB = -60.0
SHORT_TOLERANCE_S = 0.005  # a target this much shorter than the aligned input is padded
REPEAT_ESR_WARN = 0.01
BLIP_SNR = 6.0
XCORR_MIN_RHO = 0.1
XCORR_SECOND_RATIO = 0.9
XCORR_WINDOW_S = 10.0
DRIFT_WARN_SAMPLES = 2
SPLIT_NAMES = ("train", "val", "test")

Splits = dict[str, list[tuple[int, int]]]


@dataclass
class CaptureReport:
    """What `prepare_capture` found and did; also stored as ``capture.json``."""

    input_file: str
    target_file: str
    out_dir: str
    rate: int
    length: int
    latency_samples: int
    latency_ms: float
    polarity: str  # "normal" or "inverted"
    polarity_flipped: bool
    alignment: str  # "blips" or "xcorr"
    splits: Splits
    split_seconds: dict[str, float]
    layout: dict | None
    validation_esr: float | None
    drift_samples: int | None
    tail_trimmed_samples: int
    padded_samples: int
    input_trimmed_samples: int
    resampled: str | None
    input_sha256: str
    target_sha256: str
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["splits"] = {k: [[int(s), int(e)] for s, e in v] for k, v in self.splits.items()}
        return d


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(max(float(np.mean(np.square(x, dtype=np.float64))), 1e-20)))


def _to_mono(data: np.ndarray, path: Path, warnings: list[str]) -> np.ndarray:
    """One channel from (frames, channels): identical channels are fine (with a warning)."""
    if data.ndim == 1 or data.shape[1] == 1:
        return np.ascontiguousarray(data.reshape(data.shape[0], -1)[:, 0])
    ch = data.shape[1]
    peak = float(np.max(np.abs(data)))
    diff = float(np.max(np.abs(data - data[:, :1])))
    if diff <= 1e-6 * max(peak, 1e-9):
        warnings.append(f"{path.name}: {ch} identical channels; using the first")
        return np.ascontiguousarray(data[:, 0])
    levels = [_rms_db(data[:, c]) for c in range(ch)]
    loud = int(np.argmax(levels))
    desc = ", ".join(f"channel {c + 1} at {lv:.1f} dBFS RMS" for c, lv in enumerate(levels))
    raise CaptureError(
        f"{path}: {ch} channels that differ ({desc}); export a mono file of the channel the "
        f"device output was recorded on (probably channel {loud + 1}, the loudest)"
    )


def _check_clipping(x: np.ndarray, rate: int, path: Path, warnings: list[str]) -> None:
    """Warn about samples at |x| >= 0.999; refuse when more than 0.1 % of them clip."""
    clipped = np.abs(x) >= CLIP_LEVEL
    count = int(np.count_nonzero(clipped))
    if count == 0:
        return
    idx = np.flatnonzero(clipped)
    runs = int(np.count_nonzero(np.diff(idx) > 1)) + 1
    first = idx[0] / rate
    frac = count / x.size
    if frac > HEAVY_CLIP_FRACTION:
        raise CaptureError(
            f"{path}: heavily clipped: {count} samples ({100 * frac:.2f} %) at full scale in "
            f"{runs} runs, first at {first:.3f} s; lower the recording (or re-amp) level and record again"
        )
    warnings.append(
        f"{path.name}: {count} clipped samples in {runs} runs (first at {first:.3f} s); "
        "the model will learn the clipping there"
    )


def _resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Band-limited polyphase resampling (Kaiser-windowed sinc)."""
    g = gcd(int(src), int(dst))
    return resample_poly(x.astype(np.float64), dst // g, src // g).astype(np.float32)


def _xcorr(template: np.ndarray, y: np.ndarray, start: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Cross-correlation of a template found at ``start`` in the input against the target.

    Returns (c, e) for lags l = lo..hi: c[l] = sum_k t[k] y[start + k + l] and e[l] the energy
    sum_k y[start + k + l]^2 of the target window (zeros outside the target).
    """
    n = template.size
    b0, b1 = start + lo, start + n + hi
    seg = np.zeros(b1 - b0)
    s0, s1 = max(b0, 0), min(b1, y.size)
    if s1 > s0:
        seg[s0 - b0 : s1 - b0] = y[s0:s1]
    nfft = sfft.next_fast_len(seg.size + n)
    c = sfft.irfft(sfft.rfft(seg, nfft) * np.conj(sfft.rfft(template, nfft)), nfft)[: hi - lo + 1]
    cs = np.concatenate([[0.0], np.cumsum(seg * seg)])
    e = cs[n : n + hi - lo + 1] - cs[: hi - lo + 1]
    return c, np.maximum(e, 0.0)


def _polarity_clear(c: np.ndarray, idx: int, width: int) -> bool:
    """The peak's sign is clear when no opposite-sign value within +-width comes close to it."""
    lo, hi = max(idx - width, 0), min(idx + width + 1, c.size)
    near = c[lo:hi]
    opposite = near[np.sign(near) == -np.sign(c[idx])]
    return opposite.size == 0 or float(np.max(np.abs(opposite))) < 0.9 * abs(float(c[idx]))


# ---------------------------------------------------------------------------------------------
# Alignment
# ---------------------------------------------------------------------------------------------


def _local_blip(x: np.ndarray, y: np.ndarray, p: int, lag: int, rate: int) -> tuple[int, float, float]:
    """Matched filter around one blip: (lag found, signed peak, SNR of the peak).

    The noise is the RMS of the correlation within +-100 ms, leaving out -2..+30 ms of the peak
    (where the device's own impulse response rings)."""
    h = max(int(0.001 * rate), 4)
    template = x[max(p - h, 0) : p + h + 1].astype(np.float64)
    start = max(p - h, 0)
    w = int(0.1 * rate)
    c, _ = _xcorr(template, y, start, lag - w, lag + w)
    near = slice(w - int(0.003 * rate), w + int(0.003 * rate) + 1)  # +-3 ms around the expected lag
    i = near.start + int(np.argmax(np.abs(c[near])))
    mask = np.ones(c.size, bool)
    mask[max(i - int(0.002 * rate), 0) : i + int(0.03 * rate)] = False
    noise = float(np.sqrt(np.mean(c[mask] ** 2))) if mask.any() else 0.0
    snr = abs(float(c[i])) / max(noise, 1e-12)
    return lag - w + i, float(c[i]), snr


def _align_blips(
    x: np.ndarray, y: np.ndarray, layout: CaptureLayout, rate: int, target: Path, notes: list[str]
) -> tuple[int, int, int | None] | None:
    """(lag, polarity sign, drift) from the blips, None when they are not visible in the target."""
    s, e = layout.segment("blips_start")
    blips = layout.start_blips
    max_lag = int(MAX_LAG_S * rate)
    lo = -min(max_lag, max(blips[0] - int(0.01 * rate), 0))
    c, _ = _xcorr(x[s:e].astype(np.float64), y, s, lo, max_lag)
    lag = lo + int(np.argmax(np.abs(c)))
    found = [_local_blip(x, y, p, lag, rate) for p in blips]
    visible = [f for f in found if f[2] >= BLIP_SNR]
    if len(visible) < len(found):
        snrs = ", ".join(f"{f[2]:.1f}" for f in found)
        notes.append(
            f"{target.name}: start blips not clearly visible (peak/noise {snrs}, need {BLIP_SNR:g}); "
            "aligned by cross-correlation instead"
        )
        return None
    lags = [f[0] for f in found]
    signs = [int(np.sign(f[1])) for f in found]
    if max(lags) - min(lags) > 1 or abs(lags[0] - lag) > 1:
        raise CaptureError(
            f"{target}: ambiguous alignment: the start blips give inconsistent latencies "
            f"({', '.join(str(v) for v in lags)} samples; the blip train as a whole gives {lag}). "
            "Was the input edited, or is the device time-varying (delay/modulation)?"
        )
    if len(set(signs)) > 1:
        raise CaptureError(f"{target}: polarity uncertain: the start blips come out with different signs ({signs})")
    h = int(0.001 * rate)
    i0 = lag - lo
    if not _polarity_clear(c, i0, h):
        raise CaptureError(
            f"{target}: polarity uncertain: the blip response has positive and negative peaks of "
            "about the same size at the latency"
        )
    lag = int(np.median(lags))
    drift = None
    ends = [p for p in layout.end_blips if p + lag + int(0.1 * rate) < y.size]
    if ends:
        found_end = [_local_blip(x, y, p, lag, rate) for p in ends]
        if all(f[2] >= BLIP_SNR for f in found_end):
            drift = int(np.median([f[0] for f in found_end])) - lag
        else:
            notes.append(f"{target.name}: end blips not clearly visible; clock drift not measured")
    else:
        notes.append(f"{target.name}: the target stops before the end blips; clock drift not measured")
    return lag, signs[0], drift


def _align_xcorr(x: np.ndarray, y: np.ndarray, rate: int, target: Path) -> tuple[int, int]:
    """(lag, polarity sign) from the normalised cross-correlation; refuses ambiguous peaks."""
    loud = np.flatnonzero(np.abs(x) > 0.01 * float(np.max(np.abs(x))))
    start = int(loud[0]) if loud.size else 0
    n = min(x.size - start, int(XCORR_WINDOW_S * rate))
    template = x[start : start + n].astype(np.float64)
    max_lag = int(MAX_LAG_S * rate)
    c, e = _xcorr(template, y, start, -max_lag, max_lag)
    et = float(np.sum(template**2))
    rho = c / np.sqrt(np.maximum(e * et, 1e-30))
    rho[e < 1e-9 * max(float(e.max()), 1e-30)] = 0.0  # windows that are all zero padding
    i = int(np.argmax(np.abs(rho)))
    peak = float(rho[i])
    lag = i - max_lag
    excl = max(int(0.001 * rate), 2)
    others = np.abs(rho).copy()
    others[max(i - excl, 0) : i + excl + 1] = 0.0
    j = int(np.argmax(others))
    if abs(peak) < XCORR_MIN_RHO:
        raise CaptureError(
            f"{target}: ambiguous alignment: the target does not correlate with the input "
            f"(best normalised correlation {peak:+.3f} at {lag} samples within +-{MAX_LAG_S:g} s, "
            f"need {XCORR_MIN_RHO}); is it the recording of this input, with under {MAX_LAG_S:g} s "
            "of pre-roll?"
        )
    if others[j] > XCORR_SECOND_RATIO * abs(peak):
        raise CaptureError(
            f"{target}: ambiguous alignment: two cross-correlation peaks of similar height "
            f"({peak:+.3f} at {lag} samples, {float(rho[j]):+.3f} at {j - max_lag} samples)"
        )
    if not _polarity_clear(rho, i, excl):
        raise CaptureError(
            f"{target}: polarity uncertain: positive and negative correlation peaks of similar size near {lag} samples"
        )
    return lag, int(np.sign(peak))


# ---------------------------------------------------------------------------------------------
# Layout detection
# ---------------------------------------------------------------------------------------------


def _sidecar_params(input_path: Path) -> tuple[float, int] | None:
    """(duration_s, seed) from ``INPUT.json`` written by ``edgefx signal capture``, if any."""
    side = input_path.with_suffix(".json")
    if not side.is_file():
        return None
    try:
        d = json.loads(side.read_text())
        lay = d.get("layout", d)
        return float(lay["duration_s"]), int(lay["seed"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def detect_layout(x: np.ndarray, rate: int, input_path: Path | None = None) -> CaptureLayout | None:
    """The layout when ``x`` is our standard capture signal at ``rate``, else None.

    The duration comes from the length (the signal is round(D * rate) samples), the seed from the
    ``.json`` sidecar (default 0); the signal is regenerated and must match within a relative
    error energy of 1e-4 (16-bit files pass)."""
    params = _sidecar_params(input_path) if input_path is not None else None
    duration, seed = params if params is not None else (x.size / rate, 0)
    try:
        layout = capture_layout(rate, duration, seed)
    except SignalError:
        return None
    if layout.length != x.size:
        return None
    # Cheap signature first: the blips must be there before we regenerate everything.
    if not all(abs(float(x[p]) - 0.5) < 1e-3 for p in layout.blips):
        return None
    ref, layout = capture_signal(rate, duration, seed)
    err = float(np.sum((x.astype(np.float64) - ref) ** 2)) / max(float(np.sum(ref.astype(np.float64) ** 2)), 1e-20)
    return layout if err < 1e-4 else None


# ---------------------------------------------------------------------------------------------
# The public API
# ---------------------------------------------------------------------------------------------


def _shift_splits(splits: Splits, offset: int, length: int) -> Splits:
    out: Splits = {}
    for name, ranges in splits.items():
        kept = []
        for s, e in ranges:
            s2, e2 = max(s - offset, 0), min(e - offset, length)
            if e2 > s2:
                kept.append((s2, e2))
        out[name] = kept
    return out


def time_splits(length: int, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)) -> Splits:
    """Contiguous train / val / test ranges in the given proportions."""
    a = int(round(length * fractions[0]))
    b = int(round(length * (fractions[0] + fractions[1])))
    return {"train": [(0, a)], "val": [(a, b)], "test": [(b, length)]}


def prepare_capture(
    input_path: str | Path,
    target_path: str | Path,
    out_dir: str | Path,
    *,
    resample: bool = False,
    rate: int | None = None,
    flip_polarity: bool = False,
) -> CaptureReport:
    """Check and align a re-amp pair; write ``input.wav``, ``target.wav`` and ``capture.json``.

    ``resample`` allows differing rates: the target is resampled to the input's rate, or both to
    ``rate`` when given (band-limited polyphase; reported, never silent). ``flip_polarity``
    inverts an inverting device's target; by default it is kept and reported. Raises
    `AudioFileError` for unreadable files and `CaptureError` for unusable pairs.
    """
    inp, tgt, out = Path(input_path), Path(target_path), Path(out_dir)
    warnings: list[str] = []
    notes: list[str] = []
    # Never overwrite the recordings we were given (e.g. --out . next to input.wav).
    for written in (out / "input.wav", out / "target.wav"):
        for src in (inp, tgt):
            if written.resolve() == src.resolve():
                raise CaptureError(f"{src}: would be overwritten by the aligned output; choose another --out")
    xin, r_in = read_wav(inp, mono=False, allow_multichannel=True)
    yin, r_t = read_wav(tgt, mono=False, allow_multichannel=True)
    x = _to_mono(xin, inp, warnings)
    y = _to_mono(yin, tgt, warnings)
    del xin, yin

    # Rates: never resample silently.
    out_rate = int(rate) if rate is not None else r_in
    if rate is not None and rate <= 0:
        raise ConfigError(f"--rate must be positive, got {rate}")
    if (r_t != r_in or out_rate != r_in) and not resample:
        if r_t != r_in:
            raise CaptureError(
                f"{tgt}: sample rate {r_t} Hz differs from the input's ({inp.name}: {r_in} Hz); "
                f"record at {r_in} Hz, or pass --resample to resample the target to {r_in} Hz"
            )
        raise CaptureError(f"the files are at {r_in} Hz, not {out_rate} Hz; pass --resample to convert them")

    # Levels and clipping, on the samples as recorded.
    for path, sig in ((inp, x), (tgt, y)):
        if _rms_db(sig) < SILENT_RMS_DB:
            raise CaptureError(
                f"{path}: silent or nearly so ({_rms_db(sig):.1f} dBFS RMS, peak "
                f"{20 * np.log10(max(float(np.max(np.abs(sig))), 1e-12)):.1f} dBFS); "
                "check the routing and the recording level"
            )
    _check_clipping(y, r_t, tgt, warnings)
    _check_clipping(x, r_in, inp, warnings)

    layout = detect_layout(x, r_in, inp)
    if layout is None:
        notes.append(
            f"{inp.name}: not the standard edgefx capture signal (or edited); aligned by "
            "cross-correlation and split 80/10/10 in time (val and test from the end)"
        )

    resampled = None
    if r_in != out_rate or r_t != out_rate:
        parts = []
        if r_in != out_rate:
            x = _resample(x, r_in, out_rate)
            parts.append(f"input {r_in}->{out_rate} Hz")
        if r_t != out_rate:
            y = _resample(y, r_t, out_rate)
            parts.append(f"target {r_t}->{out_rate} Hz")
        resampled = ", ".join(parts)
        warnings.append(f"resampled ({resampled}, band-limited polyphase)")
        if layout is not None and r_in != out_rate:
            layout = capture_layout(out_rate, layout.duration_s, layout.seed)

    # Latency and polarity.
    drift = None
    found = _align_blips(x, y, layout, out_rate, tgt, notes) if layout is not None else None
    if found is not None:
        lag, sign, drift = found
        method = "blips"
    else:
        lag, sign = _align_xcorr(x, y, out_rate, tgt)
        method = "xcorr"
    if drift is not None and abs(drift) >= DRIFT_WARN_SAMPLES:
        span = (layout.end_blips[0] - layout.start_blips[0]) / out_rate if layout else 0.0
        ppm = 1e6 * drift / max(span * out_rate, 1.0)
        warnings.append(
            f"{tgt.name}: clock drift: the end blips are {drift:+d} samples off the start blips "
            f"({ppm:+.1f} ppm); record input and output on one interface clock"
        )
    polarity = "inverted" if sign < 0 else "normal"
    if sign < 0:
        notes.append(
            "the device inverts polarity; "
            + ("the target was flipped" if flip_polarity else "kept as recorded (the model learns it)")
        )
    if sign < 0 and flip_polarity:
        y = -y

    # Shift: target[n + lag] lines up with input[n].
    trim_in = max(-lag, 0)
    x_al = x[trim_in:]
    y_al = y[max(lag, 0) :]
    n = x_al.size
    tail = max(y_al.size - n, 0)
    padded = 0
    if tail:
        notes.append(f"trimmed {tail} samples ({tail / out_rate:.3f} s) of target tail after the input's end")
        y_al = y_al[:n]
    elif y_al.size < n:
        missing = n - y_al.size
        allowed = int(SHORT_TOLERANCE_S * out_rate)
        if layout is not None:  # the end of our signal is silence after the last blip
            allowed = max(allowed, layout.length - layout.blips[-1] - int(0.1 * out_rate))
        if missing > allowed:
            raise CaptureError(
                f"{tgt}: too short: after removing the {lag}-sample latency it ends "
                f"{missing / out_rate:.3f} s ({missing} samples) before the input does; record "
                "until the input has finished (plus the latency)"
            )
        padded = missing
        y_al = np.concatenate([y_al, np.zeros(missing, np.float32)])
        notes.append(f"padded the target's last {missing} samples with silence")
    if trim_in:
        notes.append(f"the target starts {trim_in} samples into the input; the input was trimmed to match")

    if layout is not None:
        splits = _shift_splits(layout.splits, trim_in, n)
    else:
        splits = time_splits(n)

    # Repeatability: the two validation copies in the target.
    esr = None
    if layout is not None:
        (a0, a1), (b0, b1) = layout.validation
        a0, a1, b0, b1 = (v - trim_in for v in (a0, a1, b0, b1))
        if a0 >= 0 and b1 <= n - padded:
            ya = y_al[a0:a1].astype(np.float64)
            yb = y_al[b0:b1].astype(np.float64)
            esr = float(np.sum((yb - ya) ** 2) / max(float(np.sum(ya**2)), 1e-20))
            if esr > REPEAT_ESR_WARN:
                warnings.append(
                    f"{tgt.name}: the two copies of the validation segment differ (ESR {esr:.4f} > "
                    f"{REPEAT_ESR_WARN}): a noisy or time-varying capture (noise, modulation, drifting "
                    "knobs); the model's error cannot go below this"
                )
        else:
            notes.append("validation repeatability not measured (a copy is cut off)")

    out.mkdir(parents=True, exist_ok=True)
    write_wav(out / "input.wav", x_al, out_rate)
    write_wav(out / "target.wav", y_al, out_rate)
    layout_dict = None
    if layout is not None:
        layout_dict = layout.to_dict()
        layout_dict["extra"]["input_offset"] = trim_in
    report = CaptureReport(
        input_file=inp.name,
        target_file=tgt.name,
        out_dir=str(out),
        rate=out_rate,
        length=n,
        latency_samples=int(lag),
        latency_ms=round(1000.0 * lag / out_rate, 4),
        polarity=polarity,
        polarity_flipped=bool(sign < 0 and flip_polarity),
        alignment=method,
        splits=splits,
        split_seconds={k: round(sum(e - s for s, e in v) / out_rate, 3) for k, v in splits.items()},
        layout=layout_dict,
        validation_esr=esr,
        drift_samples=drift,
        tail_trimmed_samples=int(tail),
        padded_samples=int(padded),
        input_trimmed_samples=int(trim_in),
        resampled=resampled,
        input_sha256=sha256_file(inp),
        target_sha256=sha256_file(tgt),
        warnings=warnings,
        notes=notes,
    )
    (out / "capture.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    return report


def load_capture(out_dir: str | Path) -> tuple[np.ndarray, np.ndarray, int, Splits]:
    """(input, target, rate, splits) of a prepared capture folder; float32, aligned, same length."""
    d = Path(out_dir)
    meta_path = d / "capture.json"
    if not meta_path.is_file():
        raise CaptureError(f"{d}: no capture.json; run `edgefx capture prepare` first")
    try:
        meta = json.loads(meta_path.read_text())
        rate = int(meta["rate"])
        splits = {str(k): [(int(s), int(e)) for s, e in v] for k, v in meta["splits"].items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise CaptureError(f"{meta_path}: malformed ({exc})") from None
    x, _ = read_wav(d / "input.wav", expected_rate=rate)
    y, _ = read_wav(d / "target.wav", expected_rate=rate)
    if x.size != y.size:
        raise CaptureError(f"{d}: input.wav has {x.size} samples but target.wav has {y.size}")
    for name, ranges in splits.items():
        for s, e in ranges:
            if not 0 <= s < e <= x.size:
                raise CaptureError(f"{meta_path}: split {name!r} range {s}..{e} is outside 0..{x.size}")
    return x, y, rate, splits


def split_arrays(x: np.ndarray, y: np.ndarray, splits: Splits) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """The (input, target) segments of each split, as views into ``x`` and ``y``."""
    return {name: [(x[s:e], y[s:e]) for s, e in ranges] for name, ranges in splits.items()}
