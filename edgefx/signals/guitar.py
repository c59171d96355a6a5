"""Synthetic DI guitar and bass: plucked-string (extended Karplus-Strong) phrases.

No recordings ship with edgefx, so the capture signal's "played" material is synthesised. Each
note is a digital waveguide string (extended Karplus-Strong, Jaffe & Smith 1983):

    y = x + G(z) A(z) z^-L y          =>   H(z) = 1 / (1 - G(z) A(z) z^-L)

with

* ``z^-L``  the integer part of the loop delay, P = rate / f0 = L + d,
* ``A(z) = (c + z^-1) / (1 + c z^-1)`` a first-order allpass that supplies the fractional part d,
  tuned exactly at f0 with ``c = sin(w0 (1 - d) / 2) / sin(w0 (1 + d) / 2)``, w0 = 2 pi f0 / rate,
* ``G(z) = g0 ((1 - b) + b (z + z^-1) / 2)`` a zero-phase loss filter: |G(e^jw)| = g0 (1 - b + b cos w),
  so high partials decay faster (frequency-dependent decay) and the pitch is not shifted. g0 is
  set from the wanted T60 of the fundamental: |G(e^jw0)|^(rate T60 / P) = 10^-3.

The excitation is a one-period noise burst shaped by pick dynamics (a one-pole low-pass whose
cutoff rises with velocity) and the pick-position comb ``1 - z^-round(beta P)``; the output gets
the pickup-position comb ``1 - z^-round(gamma P)``. The mix goes through a DI "pickup" model (a
resonant second-order low-pass around 3-4 kHz, and a DC-blocking high-pass), with no body.

Speed: instead of running the recursion sample by sample, each note's response is evaluated in
the frequency domain with exponential windowing. For r slightly above 1, the DFT of h[n] r^-n is
H(z) sampled on the circle |z| = r; the time-aliasing of the tail past N samples is attenuated by
r^-N (here 10^-6, on top of the string's own decay):

    y[n] = r^n * IDFT_N( H(r e^{jw_k}) * DFT_N(x[n] r^-n) )     for 0 <= n < N

All factors are causal rational transfer functions evaluated exactly at z = r e^{jw}, so the
result equals the time-domain recursion up to that 10^-6 aliasing of the tail and float64 rounding
(amplified by at most r^N = 10^6, i.e. ~1e-10 relative).
A 3-minute phrase takes 2-3 s of CPU (one core).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft as sfft
from scipy import signal as sps

from ..errors import SignalError
from .tones import midi_to_hz

GUITAR_TUNING: tuple[int, ...] = (40, 45, 50, 55, 59, 64)  # E2 A2 D3 G3 B3 E4 (MIDI), low to high
BASS_TUNING: tuple[int, ...] = (28, 33, 38, 43)  # E1 A1 D2 G2
GUITAR_RANGE: tuple[int, int] = (40, 88)  # E2 .. E6 (24 frets on the high E string)
BASS_RANGE: tuple[int, int] = (28, 55)  # E1 .. G3
STYLES = ("mixed", "chords", "lead", "palm_mute")

_RELEASE_S = 0.04  # damping time when a note is cut (finger lifted, next pluck, palm)
_ALIAS_ATTEN = 1e-6  # r^-N: tail aliasing suppression of the exponential window


@dataclass(frozen=True)
class Note:
    """One plucked note: where it starts, what it is and how it is played."""

    start_s: float
    midi: float
    string: int
    velocity: float = 0.8  # 0..1
    gate_s: float = 1.0  # time until the note is damped (cut further by the next note on the string)
    muted: bool = False  # palm mute: short, dark decay
    vibrato: float = 0.0  # depth in cents (lead notes)


# ---------------------------------------------------------------------------------------------
# The string model
# ---------------------------------------------------------------------------------------------


def _fft_size(n: int) -> int:
    """A small set of FFT sizes (2^k times 1, 5/4, 3/2, 7/4) so per-size tables get reused."""
    n = max(int(n), 256)
    k = int(np.floor(np.log2(n)))
    for mult in (1.0, 1.25, 1.5, 1.75, 2.0):
        size = int(round(2**k * mult))
        if size >= n and (size % 4 == 0):
            return size
    return 2 ** (k + 1)


@lru_cache(maxsize=24)
def _tables(nfft: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
    """Per-size constants on the circle |z| = r: z^-1, (z + z^-1) / 2, the table e^{-j 2 pi m / N}
    (for z^-L by index arithmetic), r, r^-n and r^n."""
    r = _ALIAS_ATTEN ** (-1.0 / nfft)
    unit = np.exp(-2j * np.pi * np.arange(nfft) / nfft)
    zinv = unit[: nfft // 2 + 1] / r
    zmean = 0.5 * (1.0 / zinv + zinv)
    rneg = r ** (-np.arange(nfft, dtype=np.float64))
    rpos = 1.0 / rneg
    return zinv, zmean, unit, r, rneg, rpos


def string_response(
    excitation: np.ndarray,
    f0: float,
    rate: int,
    n: int,
    *,
    t60: float,
    loss_b: float = 0.35,
) -> np.ndarray:
    """Output of the waveguide string H(z) = 1 / (1 - G(z) A(z) z^-L) driven by ``excitation``.

    ``t60`` is the decay time (to -60 dB) of the fundamental; ``loss_b`` (0..0.5) sets how much
    faster high partials decay: |G(e^jw)| = g0 (1 - b + b cos w). Returns ``n`` samples.
    """
    period = rate / f0
    if period < 4.0:
        raise SignalError(f"note at {f0:.1f} Hz is too high for a {rate} Hz string model")
    length = int(np.floor(period - 0.5))
    frac = period - length  # in [0.5, 1.5): keeps the allpass coefficient well inside (-1, 1)
    w0 = 2.0 * np.pi * f0 / rate
    c = np.sin(w0 * (1.0 - frac) / 2.0) / np.sin(w0 * (1.0 + frac) / 2.0)
    b = float(np.clip(loss_b, 0.0, 0.5))
    shape0 = (1.0 - b) + b * np.cos(w0)
    per_period = 10.0 ** (-3.0 * period / (rate * max(t60, 1e-3)))
    # g0 < 1 keeps the DC loop gain below one (high notes then decay a little faster than asked).
    g0 = min(per_period / shape0, 0.9995)

    nfft = _fft_size(max(n, excitation.size + 1))
    zinv, zmean, unit, r, rneg, rpos = _tables(nfft)
    k = np.arange(nfft // 2 + 1, dtype=np.int64)
    zinv_l = unit[(k * length) % nfft] * r ** (-float(length))
    loss = g0 * (1.0 - b) + (g0 * b) * zmean
    # 1 / (1 - G A z^-L) with A = (c + z^-1) / (1 + c z^-1), written with a single division.
    den_ap = 1.0 + c * zinv
    h = den_ap / (den_ap - loss * (c + zinv) * zinv_l)
    ex = np.zeros(nfft)
    m = min(excitation.size, nfft)
    ex[:m] = excitation[:m] * rneg[:m]
    y = sfft.irfft(sfft.rfft(ex) * h, nfft)[:n] * rpos[:n]
    return y


def pluck(
    midi: float,
    duration_s: float,
    rate: int,
    *,
    velocity: float = 0.8,
    muted: bool = False,
    bass: bool = False,
    rng: np.random.Generator | None = None,
    t60: float | None = None,
    pick_position: float | None = None,
    pickup_position: float | None = None,
) -> np.ndarray:
    """One plucked note of ``duration_s`` seconds (no release fade, no pickup filter).

    Dynamics: the excitation amplitude scales as velocity^1.3 and the pick low-pass cutoff as
    fc = f_soft + (f_hard - f_soft) velocity^2 (two one-pole sections), so soft notes are darker as on a real string.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    f0 = midi_to_hz(midi)
    n = max(int(round(duration_s * rate)), 1)
    period = rate / f0
    velocity = float(np.clip(velocity, 0.05, 1.0))
    if t60 is None:
        if muted:
            t60 = float(rng.uniform(0.12, 0.3))
        elif bass:
            t60 = float(np.clip(7.0 * (41.2 / f0) ** 0.35, 1.5, 7.0))
        else:
            t60 = float(np.clip(5.5 * (82.4 / f0) ** 0.5, 0.8, 6.0))
    loss_b = 0.5 if muted else (0.42 if bass else 0.3)
    # Pick (or finger) excitation: one period of noise, darker when soft or muted.
    burst = max(int(round(period)), 2)
    ex = rng.uniform(-1.0, 1.0, burst)
    ex -= ex.mean()
    f_soft, f_hard = (300.0, 2500.0) if bass else (600.0, 7000.0)
    fc = f_soft + (f_hard - f_soft) * velocity**2
    if muted:
        fc *= 0.3
    fc = min(fc, 0.45 * rate)
    a = np.exp(-2.0 * np.pi * fc / rate)
    # Two one-pole sections (12 dB/octave): the pick's dynamics filter.
    ex = sps.lfilter([(1.0 - a) ** 2], [1.0, -2.0 * a, a * a], ex)
    beta = pick_position if pick_position is not None else float(rng.uniform(0.08, 0.25))
    shift = max(int(round(beta * period)), 1)
    ex = np.concatenate([ex, np.zeros(shift)])
    ex[shift:] -= ex[:-shift].copy()
    y = string_response(ex, f0, rate, n, t60=t60, loss_b=loss_b)
    gamma = pickup_position if pickup_position is not None else (0.18 if bass else 0.12)
    pshift = max(int(round(gamma * period)), 1)
    if pshift < y.size:
        y[pshift:] -= y[:-pshift].copy()
    return y * velocity**1.3


def pickup_filter(x: np.ndarray, rate: int, *, bass: bool = False) -> np.ndarray:
    """DI pickup tone: resonant 2nd-order low-pass (guitar 3.8 kHz Q 1.8, bass 2.6 kHz Q 1.2)
    after a 2nd-order DC-blocking high-pass (30 / 20 Hz). The resonance stands for the pickup
    inductance against the cable capacitance; there is no body (a DI has none)."""
    fc, q, hp = (2600.0, 1.2, 20.0) if bass else (3800.0, 1.8, 30.0)
    fc = min(fc, 0.45 * rate)
    # RBJ cookbook low-pass biquad.
    w = 2 * np.pi * fc / rate
    alpha = np.sin(w) / (2 * q)
    cw = np.cos(w)
    b = np.array([(1 - cw) / 2, 1 - cw, (1 - cw) / 2])
    a = np.array([1 + alpha, -2 * cw, 1 - alpha])
    sos_lp = np.concatenate([b / a[0], a / a[0]])[None, :]
    sos_hp = sps.butter(2, hp, "highpass", fs=rate, output="sos")
    return sps.sosfilt(np.concatenate([sos_hp, sos_lp]), x)


def render_notes(notes: list[Note], duration_s: float, rate: int, *, bass: bool = False, seed: int = 0) -> np.ndarray:
    """Synthesise and mix ``notes`` into a float64 signal of ``duration_s`` (before the pickup).

    A note is damped (40 ms fade) at the end of its gate or when the next note on the same string
    starts, whichever is first; it is not computed past ~1.3 T60 where it is below -70 dB.
    """
    n_total = int(round(duration_s * rate))
    out = np.zeros(n_total)
    rng = np.random.default_rng(seed)
    ordered = sorted(notes, key=lambda nt: nt.start_s)
    next_on_string: dict[int, float] = {}
    ends: list[float] = [0.0] * len(ordered)
    for i in range(len(ordered) - 1, -1, -1):
        nt = ordered[i]
        nxt = next_on_string.get(nt.string, np.inf)
        ends[i] = min(nt.start_s + nt.gate_s, nxt)
        next_on_string[nt.string] = nt.start_s
    release = int(round(_RELEASE_S * rate))
    fade = np.cos(np.linspace(0.0, np.pi / 2, release)) ** 2
    for nt, end_s in zip(ordered, ends, strict=True):
        s = max(int(round(nt.start_s * rate)), 0)
        if s >= n_total or nt.velocity <= 0:
            continue  # velocity-0 events only mark where a string is damped (rests)
        gate = max(int(round((end_s - nt.start_s) * rate)), 1)
        t60_cap = 0.4 if nt.muted else (8.0 if bass else 7.0)
        n = min(gate + release, int(t60_cap * 1.3 * rate), n_total - s)
        y = pluck(nt.midi, n / rate, rate, velocity=nt.velocity, muted=nt.muted, bass=bass, rng=rng)
        if nt.vibrato > 0 and n > rate // 4:
            y = _vibrato(y, rate, nt.vibrato, rng)
        if gate < n:
            tail = y[gate:]
            m = min(tail.size, release)
            tail[:m] *= fade[:m]
            tail[m:] = 0.0
        out[s : s + n] += y
    return out


def _vibrato(y: np.ndarray, rate: int, cents: float, rng: np.random.Generator) -> np.ndarray:
    """Delay-modulation vibrato that fades in after 150 ms.

    A delay d(t) = D sin(2 pi fv t) changes the instantaneous frequency by a factor
    1 - d'(t), so D = (2^(cents/1200) - 1) / (2 pi fv) gives a peak deviation of ``cents``.
    """
    fv = float(rng.uniform(4.5, 6.0))
    depth = (2.0 ** (cents / 1200.0) - 1.0) / (2 * np.pi * fv) * rate
    t = np.arange(y.size)
    ramp = np.clip((t / rate - 0.15) / 0.3, 0.0, 1.0)
    pos = t - depth * ramp * np.sin(2 * np.pi * fv * t / rate)
    return np.interp(pos, t, y)


# ---------------------------------------------------------------------------------------------
# Phrase generators
# ---------------------------------------------------------------------------------------------

# Chord shapes: frets per string (low E .. high E); -1 = not played. Movable ones get an offset.
_OPEN_CHORDS = {
    "E": (0, 2, 2, 1, 0, 0),
    "Em": (0, 2, 2, 0, 0, 0),
    "A": (-1, 0, 2, 2, 2, 0),
    "Am": (-1, 0, 2, 2, 1, 0),
    "D": (-1, -1, 0, 2, 3, 2),
    "Dm": (-1, -1, 0, 2, 3, 1),
    "G": (3, 2, 0, 0, 0, 3),
    "C": (-1, 3, 2, 0, 1, 0),
}
_MOVABLE = {
    "E_maj": (0, 2, 2, 1, 0, 0),
    "E_min": (0, 2, 2, 0, 0, 0),
    "A_maj": (-1, 0, 2, 2, 2, 0),
    "A_min": (-1, 0, 2, 2, 1, 0),
    "pow6": (0, 2, 2, -1, -1, -1),
    "pow5": (-1, 0, 2, 2, -1, -1),
}
_PENTA_MINOR = (0, 3, 5, 7, 10)
_NAT_MINOR = (0, 2, 3, 5, 7, 8, 10)


def _random_chord(rng: np.random.Generator) -> tuple[int, ...]:
    if rng.random() < 0.45:
        names = sorted(_OPEN_CHORDS)
        return _OPEN_CHORDS[names[rng.integers(len(names))]]
    names = sorted(_MOVABLE)
    shape = _MOVABLE[names[rng.integers(len(names))]]
    fret = int(rng.integers(1, 11))
    return tuple(f + fret if f >= 0 else -1 for f in shape)


def _chord_bar(rng, t0: float, beat: float, notes: list[Note]) -> None:
    """One 4/4 bar of strummed eighths: downs on the beat, ups between, some rests."""
    chord = _random_chord(rng)
    played = [i for i, f in enumerate(chord) if f >= 0]
    let_ring = rng.random() < 0.25
    slots = [0] if let_ring else range(8)
    for slot in slots:
        down = slot % 2 == 0
        if (down and rng.random() > 0.85) or (not down and rng.random() > 0.5):
            continue
        strings = played if down else [s for s in played if s >= 2][::-1]
        if not down and rng.random() < 0.5:
            strings = strings[: max(2, len(strings) // 2 + 1)]
        spread = float(rng.uniform(0.004, 0.014))  # seconds between strings
        vel = float(rng.uniform(0.6, 0.95) if down else rng.uniform(0.4, 0.7))
        t = t0 + slot * beat / 2 + float(rng.normal(0, 0.004))
        gate = 4 * beat if let_ring else float(rng.choice([beat / 2, beat, 2 * beat]))
        for j, s in enumerate(strings):
            v = float(np.clip(vel * rng.uniform(0.85, 1.1), 0.1, 1.0))
            notes.append(Note(max(t + j * spread, 0.0), GUITAR_TUNING[s] + chord[s], s, v, gate))
    if not let_ring and rng.random() < 0.2:  # a rest: damp everything on the last beat
        for s in range(6):
            notes.append(Note(t0 + 3.5 * beat, GUITAR_TUNING[s], s, 0.0, 0.0))


def _lead_bar(rng, t0: float, beat: float, notes: list[Note], state: dict) -> None:
    """A bar of a single-note line: a random walk on a minor (pentatonic) scale."""
    scale = state["scale"]
    t = 0.0
    while t < 4 * beat - 1e-9:
        dur = float(rng.choice([0.25, 0.5, 0.5, 0.5, 1.0, 1.0, 1.5, 2.0])) * beat
        dur = min(dur, 4 * beat - t)
        if rng.random() < 0.12:  # rest
            notes.append(Note(t0 + t, 0, 6 + state["string"], 0.0, 0.0))
            t += dur
            continue
        state["deg"] = int(np.clip(state["deg"] + int(rng.choice([-3, -2, -1, -1, 1, 1, 2, 3])), 0, 30))
        octave, idx = divmod(state["deg"], len(scale))
        midi = state["root"] + 12 * octave + scale[idx]
        while midi > GUITAR_RANGE[1] - 2:
            midi -= 12
            state["deg"] -= len(scale)
        midi = max(midi, 52)
        # Nearest playable string to the current hand position.
        cands = [
            (abs((midi - GUITAR_TUNING[s]) - state["fret"]), s) for s in range(6) if 0 <= midi - GUITAR_TUNING[s] <= 22
        ]
        s = min(cands)[1]
        state["fret"] = midi - GUITAR_TUNING[s]
        state["string"] = s
        vib = float(rng.uniform(10, 30)) if dur >= beat else 0.0
        vel = float(rng.uniform(0.5, 1.0))
        legato = float(rng.uniform(0.7, 1.0))
        notes.append(Note(t0 + t, midi, 6 + s, vel, dur * legato, False, vib))
        t += dur


def _palm_bar(rng, t0: float, beat: float, notes: list[Note]) -> None:
    """A bar of palm-muted chugs (8ths/16ths) on the low strings with open accents."""
    root_fret = int(rng.integers(0, 8))
    sixteenth = beat / 4
    step = 2 if rng.random() < 0.6 else 1
    for slot in range(0, 16, step):
        if rng.random() < 0.15:
            continue
        accent = rng.random() < 0.12
        t = t0 + slot * sixteenth + float(rng.normal(0, 0.002))
        strings = [0, 1, 2] if (accent or rng.random() < 0.3) else [0]
        vel = float(rng.uniform(0.85, 1.0) if accent else rng.uniform(0.55, 0.9))
        for j, s in enumerate(strings):
            fret = root_fret + (0 if s == 0 else 2)
            gate = beat if accent else sixteenth * step
            notes.append(Note(t + 0.003 * j, GUITAR_TUNING[s] + fret, s, vel, gate, not accent))


def guitar_notes(duration_s: float, seed: int = 0, style: str = "mixed") -> list[Note]:
    """The note list of a guitar phrase (tempo 85-140 BPM, 4/4 bars of the given style).

    String numbers 0-5 are the six strings (chords, chugs); 6-11 is the same set for the lead
    line, so a lead note and a chord note do not cut each other.
    """
    if style not in STYLES:
        raise SignalError(f"unknown guitar style {style!r}; choose from {', '.join(STYLES)}")
    rng = np.random.default_rng(seed)
    beat = 60.0 / float(rng.uniform(85, 140))
    notes: list[Note] = []
    root = 40 + int(rng.integers(0, 8))
    state = {
        "scale": _PENTA_MINOR if rng.random() < 0.6 else _NAT_MINOR,
        "root": root + 12,
        "deg": 5,
        "fret": 5,
        "string": 3,
    }
    t = 0.0
    section = style
    bars_left = 0
    while t < duration_s:
        if style == "mixed" and bars_left <= 0:
            section = ("chords", "lead", "palm_mute")[int(rng.integers(3))]
            bars_left = int(rng.integers(2, 5))
        if section == "chords":
            _chord_bar(rng, t, beat, notes)
        elif section == "lead":
            _lead_bar(rng, t, beat, notes, state)
        else:
            _palm_bar(rng, t, beat, notes)
        bars_left -= 1
        t += 4 * beat
    return [nt for nt in notes if nt.start_s < duration_s]


def bass_notes(duration_s: float, seed: int = 0) -> list[Note]:
    """The note list of a bass line: roots, fifths and octaves in 8ths/quarters with rests."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / float(rng.uniform(80, 135))
    notes: list[Note] = []
    t = 0.0
    pos = 3
    while t < duration_s:
        root = 28 + int(rng.integers(0, 12))
        x = 0.0
        while x < 4 * beat - 1e-9:
            dur = float(rng.choice([0.5, 0.5, 0.5, 1.0, 1.0, 2.0])) * beat
            dur = min(dur, 4 * beat - x)
            if rng.random() < 0.06:
                notes.append(Note(t + x, 0, 0, 0.0, 0.0))
                x += dur
                continue
            midi = root + int(rng.choice([0, 0, 0, 7, 12, 10, 5]))
            midi = int(np.clip(midi, BASS_RANGE[0], BASS_RANGE[1]))
            cands = [(abs((midi - BASS_TUNING[s]) - pos), s) for s in range(4) if 0 <= midi - BASS_TUNING[s] <= 12]
            s = min(cands)[1]
            pos = midi - BASS_TUNING[s]
            staccato = rng.random() < 0.15
            gate = dur * (float(rng.uniform(0.3, 0.5)) if staccato else float(rng.uniform(0.85, 1.0)))
            muted = rng.random() < 0.1
            notes.append(Note(t + x + float(rng.normal(0, 0.004)), midi, s, float(rng.uniform(0.5, 0.95)), gate, muted))
            x += dur
        t += 4 * beat
    # Damping events (velocity 0) cut every string at a rest.
    out: list[Note] = []
    for nt in notes:
        if nt.velocity == 0.0:
            out.extend(Note(nt.start_s, 0, s, 0.0, 0.0) for s in range(4))
        else:
            out.append(nt)
    return [nt for nt in out if 0 <= nt.start_s < duration_s]


def _limit_gain(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Block envelope for a look-ahead peak limiter: per 1 ms block, the max |x| over the block
    and its two neighbours each side, and the block energies (for fast RMS estimates)."""
    blk = max(int(0.001 * rate), 1)
    nb = -(-x.size // blk)
    pad = np.zeros(nb * blk)
    pad[: x.size] = x
    blocks = pad.reshape(nb, blk)
    bmax = np.abs(blocks).max(axis=1)
    env = bmax.copy()
    for k in (1, 2):
        env[k:] = np.maximum(env[k:], bmax[:-k])
        env[:-k] = np.maximum(env[:-k], bmax[k:])
    return env, (blocks**2).sum(axis=1), blk


def _finish(x: np.ndarray, rate: int, level_db: float, bass: bool, rms_db: float | None = -20.0) -> np.ndarray:
    """Pickup filter, then level: peaks at ``level_db`` dBFS; with ``rms_db`` the pick-attack
    peaks are first limited (by at most 6 dB) so that the RMS comes as close as it can to it.

    The limiter gain per 1 ms block is g_k = min(1, T / env_k), env_k the peak over blocks
    k-2..k+2; it is linearly interpolated between block centres, so every sample of block k sees
    a gain between g_k and a neighbour's gain, both <= T / |x|: the output never exceeds T.
    """
    y = pickup_filter(x, rate, bass=bass)
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak <= 0:
        return y.astype(np.float32)
    y = y / peak
    if rms_db is not None and y.size > 10 * rate // 1000:
        want = 10 ** ((rms_db - level_db) / 20)  # wanted RMS relative to the final peak
        env, energy, blk = _limit_gain(y, rate)

        def rel_rms(thr: float) -> float:
            g = np.minimum(1.0, thr / np.maximum(env, 1e-12))
            return float(np.sqrt((energy * g**2).sum() / y.size)) / thr

        if rel_rms(1.0) < want:
            lo, hi = 10 ** (-6 / 20), 1.0  # relative RMS rises as the threshold goes down
            if rel_rms(lo) < want:
                hi = lo
            for _ in range(30):
                mid = np.sqrt(lo * hi)
                if rel_rms(mid) < want:
                    hi = mid
                else:
                    lo = mid
            g = np.minimum(1.0, hi / np.maximum(env, 1e-12))
            # Linear ramps from block k's gain to block k+1's: both are safe for block k.
            ramp = np.arange(blk) / blk
            g_next = np.append(g[1:], g[-1])
            gain = (g[:, None] + (g_next - g)[:, None] * ramp[None, :]).ravel()[: y.size]
            y = y * gain
            y = y / float(np.max(np.abs(y)))
    return (y * 10.0 ** (level_db / 20.0)).astype(np.float32)


def _check(duration_s: float, rate: int) -> None:
    if not (duration_s > 0 and np.isfinite(duration_s)):
        raise SignalError(f"duration must be positive, got {duration_s}")
    if rate < 8000:
        raise SignalError(f"sample rate {rate} Hz is too low for guitar synthesis (need >= 8000)")


def guitar_phrase(
    duration_s: float, rate: int, seed: int = 0, style: str = "mixed", level_db: float = -4.0
) -> np.ndarray:
    """A DI guitar phrase: float32 mono, peak-normalised to ``level_db`` dBFS (RMS ~ -20 dBFS).

    ``style`` is "chords" (strummed open/barre/power chords, up and down strokes, let-ring bars
    and rests), "lead" (single-note minor/pentatonic lines with vibrato on long notes),
    "palm_mute" (muted chugs with open accents) or "mixed" (sections of each). Deterministic
    for a given seed.
    """
    _check(duration_s, rate)
    x = render_notes(guitar_notes(duration_s, seed, style), duration_s, rate, seed=seed + 7919)
    return _finish(x, rate, level_db, bass=False)


def bass_phrase(duration_s: float, rate: int, seed: int = 0, level_db: float = -4.0) -> np.ndarray:
    """A DI bass line (E1-G3, 4 strings): float32 mono, peak-normalised to ``level_db`` dBFS."""
    _check(duration_s, rate)
    x = render_notes(bass_notes(duration_s, seed), duration_s, rate, bass=True, seed=seed + 104729)
    return _finish(x, rate, level_db, bass=True)
