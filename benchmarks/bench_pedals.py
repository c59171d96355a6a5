"""Render time and alias level of each built-in reference pedal.

    .venv/bin/python benchmarks/bench_pedals.py [--seconds 180] [--repeats 3]

Render time: a 3-minute 48 kHz guitar-like signal (plucked harmonic notes), wall time of
``Pedal.process`` on one core, median of the repeats. Alias level: a full-scale 5 kHz tone at
44.1 and 48 kHz, default knobs and drive = 1; non-harmonic over harmonic power (dB), measured as in
tests/test_pedals.py. Writes benchmarks/results/pedals.md and prints it.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np
from scipy import signal

from edgefx.pedals import PEDALS, get_pedal

RESULTS = Path(__file__).resolve().parent / "results" / "pedals.md"


def guitar_like(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    """Plucked notes every 0.4 s: six decaying harmonics each, peaks around 0.5."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    x = np.zeros(n)
    hop = int(0.4 * rate)
    t = np.arange(int(1.6 * rate)) / rate
    for start in range(0, n, hop):
        f0 = 82.4 * 2 ** (rng.integers(0, 36) / 12)
        ks = [k for k in range(1, 7) if k * f0 < 0.4 * rate]
        note = sum(np.sin(2 * np.pi * k * f0 * t) * np.exp(-t * (2.0 + 1.5 * k)) / k for k in ks)
        seg = x[start : start + len(t)]
        seg += 0.25 * rng.uniform(0.5, 1.0) * note[: len(seg)]
    return x


def alias_db(y: np.ndarray, rate: int, f0: float, guard: int = 12) -> float:
    spec = np.abs(np.fft.rfft(y * signal.windows.chebwin(len(y), at=200))) ** 2
    binw = rate / len(y)
    mask = np.zeros(len(spec), dtype=bool)
    for k in range(int((rate / 2) // f0) + 1):
        c = int(round(k * f0 / binw))
        mask[max(c - guard, 0) : c + guard + 1] = True
    return float(10 * np.log10(spec[~mask].sum() / spec[mask].sum()))


def alias_level(name: str, rate: int, drive: float | None) -> float:
    knobs = {} if drive is None else {"drive": drive}
    x = np.sin(2 * np.pi * 5000.0 * np.arange(int(0.75 * rate)) / rate)
    y = get_pedal(name, **knobs).process(x, rate).astype(np.float64)
    return alias_db(y[rate // 4 :], rate, 5000.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    rate = 48000
    x = guitar_like(args.seconds, rate).astype(np.float32)
    rows = []
    for name in PEDALS:
        pedal = get_pedal(name)
        pedal.process(x[:rate], rate)  # build/load the C core outside the timing
        times, cpu = [], []
        for _ in range(args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            pedal.process(x, rate)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        alias = {(r, d): alias_level(name, r, d) for r in (44100, 48000) for d in (None, 1.0)}
        rows.append((name, pedal.oversample, statistics.median(times), statistics.median(cpu), alias))
        print(f"{name}: {statistics.median(times):.2f} s wall, {statistics.median(cpu):.2f} s CPU", flush=True)

    lines = [
        "# Reference pedals: render time and aliasing",
        "",
        f"Render: {args.seconds:g} s of 48 kHz guitar-like audio, median of {args.repeats}, one core "
        f"({platform.processor() or platform.machine()}, Python {platform.python_version()}). "
        "CPU time is the process's own; wall time also counts waiting for a busy machine.",
        "Alias: full-scale 5 kHz tone, non-harmonic / harmonic power (Chebyshev 200 dB window).",
        "",
        "| pedal | oversample | render s (wall) | render s (CPU) | x real time (CPU) "
        "| alias 44.1k default | alias 44.1k drive=1 "
        "| alias 48k default | alias 48k drive=1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, os_, t, c, alias in rows:
        cells = " | ".join(f"{alias[(r, d)]:.1f} dB" for r in (44100, 48000) for d in (None, 1.0))
        lines.append(f"| {name} | {os_}x | {t:.2f} | {c:.2f} | {args.seconds / c:.1f} | {cells} |")
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
