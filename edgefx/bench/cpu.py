"""The CPU-budget benchmark: time per audio-second of each model on each engine, on one core.

    result = run_cpu_bench(models=["lstm16"], engines=["c-fast", "onnx", "torch"], seconds=10)
    write_outputs(result, "benchmarks/results", stem="cpu")     # cpu.md, cpu.json, cpu.png

Every engine gets the same audio in the same blocks (48 samples by default), one thread each
(torch.set_num_threads(1), onnxruntime/TFLite threads=1). Per model, the engines are timed
round-robin (repeat 1 of every engine, then repeat 2, ...) so that load from other processes on
a shared machine falls on all of them alike; each figure is the median of the repeats, with the
minimum beside it. Models carry random-init weights: the work per sample is fixed by the shape
(MACs do not depend on weight values), so the timings hold for trained models of the same shape.

C rows are timed with the block loop in C (`firmware/bench/edgefx_bench_driver.c`: one call of
the model's process per block, as an audio callback makes them); the same blocks called one by
one from Python are reported beside it. The other engines are host runtimes and are timed as
they are used, called per block from Python.

C rows are also compared with their MAC floor, the time the model's multiply-adds would take at
the measured peak rate of one core (`edgefx.bench.peak`) built with the same compiler flags as the
C itself. The fast-math LSTM rows are also compared with the floors of `edgefx.bench.floors`,
measured after the run with the same flags: the latency floor (the chain of dependent operations
from one sample's h to the next, in the kernel's summation order and in any order) and the
throughput floor (the sample's multiply-adds and activations at perfect overlap), which say how much
any kernel could still gain.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..bundle import Bundle
from ..engines import ENGINES, open_engine
from ..errors import BundleError, ConfigError
from ..models import StreamingModel, model_from_args
from . import floors as floors_mod
from . import peak as peak_mod

SAMPLE_RATE = 48000
DEFAULT_MODELS = (
    "lstm8", "lstm12", "lstm16", "lstm24", "lstm32", "lstm40", "gru16", "tcn-nano", "tcn-feather", "tcn-standard",
)
DEFAULT_ENGINES = ("c", "c-fast", "torch", "onnx", "tflite")
ENGINE_LABELS = {
    "c": "C exact",
    "c-fast": "C fast-math",
    "torch": "PyTorch eager",
    "onnx": "ONNX Runtime",
    "tflite": "TFLite",
}
C_ENGINES = ("c", "c-fast")
PLOT_COLORS = {"c": "#1f77b4", "c-fast": "#17becf", "torch": "#ff7f0e", "onnx": "#2ca02c", "tflite": "#9467bd"}
# The bundle artifact an engine runs, produced with `edgefx export --format ...` before opening it.
EXPORT_FORMAT = {"c": "c", "c-fast": "c", "onnx": "onnx", "tflite": "tflite"}

# Goals of issue 3 (reported with PASS/MISS, never asserted in tests).
SPEEDUP_GOALS = (("onnx", 20.0), ("torch", 100.0))  # C fast-math LSTM-16 vs these, on the same blocks
FLOOR_GOAL = ("lstm32", 1.5)  # C LSTM-32 within this factor of its MAC floor
GOAL_MODEL = "lstm16"

# RTNeural's LSTM-16 layer as quoted in issue 3: 15.4 ms per audio-second (65x real time) on an
# Intel i7-8700B. Its layer has input size 1 and no dense head: 4*16*(1+16) = 1088 MACs/sample;
# the audio-second is taken as 48 000 samples.
RTNEURAL = {
    "what": "RTNeural LSTM layer, hidden 16, input 1",
    "cpu": "Intel i7-8700B",
    "ms_per_audio_s": 15.4,
    "macs_per_sample": 4 * 16 * (1 + 16),
    "sample_rate": 48000,
}


# --- models -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelSpec:
    """One benchmark model: ``lstm16`` -> LSTM, hidden 16; ``tcn-nano`` -> the TCN nano preset."""

    key: str
    arch: str
    hidden: int | None = None
    preset: str | None = None

    @property
    def label(self) -> str:
        if self.arch == "tcn":
            return f"TCN-{self.preset}"
        return f"{self.arch.upper()}-{self.hidden}"

    def build(self) -> StreamingModel:
        return model_from_args(self.arch, hidden=self.hidden, preset=self.preset)


_RECURRENT_RE = re.compile(r"^(lstm|gru)[-_]?(\d+)$")
_TCN_RE = re.compile(r"^tcn[-_]?([a-z]+)$")


def parse_model(text: str) -> ModelSpec:
    """``lstm16`` / ``gru-16`` / ``tcn-nano`` -> `ModelSpec`; anything else is a `ConfigError`."""
    t = text.strip().lower()
    if m := _RECURRENT_RE.match(t):
        spec = ModelSpec(f"{m[1]}{int(m[2])}", m[1], hidden=int(m[2]))
    elif m := _TCN_RE.match(t):
        spec = ModelSpec(f"tcn-{m[1]}", "tcn", preset=m[1])
    else:
        raise ConfigError(f"benchmark model {text!r}: expected lstmN, gruN or tcn-PRESET (e.g. lstm16, tcn-nano)")
    spec.build()  # range and preset checks raise ConfigError now, not mid-run
    return spec


def parse_list(text: str | Sequence[str] | None, default: Sequence[str]) -> list[str]:
    """A comma-separated option (or a list) as a list of non-empty names."""
    if text is None:
        return list(default)
    items = text.split(",") if isinstance(text, str) else list(text)
    out = [s.strip() for s in items if s.strip()]
    if not out:
        raise ConfigError("an empty list was given; name at least one")
    return out


# --- the test signal --------------------------------------------------------------------------
def bench_signal(seconds: float, sample_rate: int = SAMPLE_RATE, seed: int = 0) -> np.ndarray:
    """Guitar-like audio: decaying harmonic plucks every 0.25 s plus a little noise, peak ~0.6.

    The engines' cost does not depend on the signal, but approximate activations can take
    different paths for small and large inputs, so the input spans a realistic range.
    """
    n = max(1, int(round(seconds * sample_rate)))
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sample_rate
    x = np.zeros(n)
    step = int(0.25 * sample_rate)
    for start in range(0, n, step):
        f0 = 82.4 * 2 ** (rng.integers(0, 30) / 12)
        seg = t[: n - start]
        env = np.exp(-seg * rng.uniform(2.0, 6.0))
        tone = sum(np.sin(2 * np.pi * f0 * k * seg + rng.uniform(0, 2 * np.pi)) / k for k in range(1, 6))
        x[start:] += 0.3 * env * tone
    x += 0.01 * rng.standard_normal(n)
    x *= 0.6 / max(1e-9, float(np.max(np.abs(x))))
    return x.astype(np.float32)


# --- runners: what is timed for each engine ---------------------------------------------------
class _EngineRunner:
    """An `edgefx.engines` engine fed numpy blocks through its ``process``."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def reset(self) -> None:
        self.engine.reset()

    def output(self, x: np.ndarray, block: int) -> np.ndarray:
        self.engine.reset()
        return np.concatenate([np.asarray(self.engine.process(x[i : i + block])).reshape(-1)
                               for i in range(0, len(x), block)])

    def timed_pass(self, blocks: list[np.ndarray]) -> float:
        self.engine.reset()
        process = self.engine.process
        t0 = time.perf_counter()
        for b in blocks:
            process(b)
        return time.perf_counter() - t0

    @property
    def has_c_loop(self) -> bool:
        """True for engines that can run the block loop in C (the C engines)."""
        return callable(getattr(self.engine, "time_blocks", None))

    def timed_c_loop(self, x: np.ndarray, block: int) -> float:
        """One pass in blocks with the loop in C: what an audio callback pays, no Python per block."""
        return self.engine.time_blocks(x, block, 1)[0]

    def close(self) -> None:
        close = getattr(self.engine, "close", None)
        if callable(close):
            close()

    def timed_one_call(self, x: np.ndarray) -> float:
        """The whole signal in one call: the engine's compute without per-block call overhead."""
        self.engine.reset()
        t0 = time.perf_counter()
        self.engine.process(x)
        return time.perf_counter() - t0


class _TorchEagerRunner:
    """PyTorch eager as a user would run it live: ``model(x_block)``, stateful, per block, under
    ``torch.inference_mode()``; blocks are made tensors before timing (no conversions timed)."""

    def __init__(self, bundle: Bundle) -> None:
        import torch

        self.torch = torch
        self.model = bundle.load_model(torch.float32)

    def reset(self) -> None:
        self.model.reset()

    def close(self) -> None:
        pass

    def output(self, x: np.ndarray, block: int) -> np.ndarray:
        with self.torch.inference_mode():
            self.model.reset()
            ys = [self.model(self.torch.from_numpy(x[i : i + block])) for i in range(0, len(x), block)]
            return self.torch.cat(ys).numpy().astype(np.float32)

    def timed_pass(self, blocks: list[np.ndarray]) -> float:
        tensors = [self.torch.from_numpy(b) for b in blocks]
        model = self.model
        with self.torch.inference_mode():
            model.reset()
            t0 = time.perf_counter()
            for t in tensors:
                model(t)
            return time.perf_counter() - t0


def _factory(name: str) -> Callable[..., Any] | None:
    """The engine's factory (to read which options it takes), or None if it cannot be imported."""
    if name not in ENGINES:
        return None
    module_name, attr = ENGINES[name]
    try:
        module = importlib.import_module(f"edgefx.engines.{module_name}")
    except ImportError:
        return None
    return getattr(module, attr, None)


def single_thread_options(name: str) -> dict[str, Any]:
    """``threads=1`` (or ``num_threads=1``) if the engine's factory takes such an option."""
    factory = _factory(name)
    if factory is None:
        return {}
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return {}
    for key in ("threads", "num_threads"):
        if key in params:
            return {key: 1}
    return {}


def _ensure_export(bundle: Bundle, engine: str, block: int) -> None:
    """Add the artifact ``engine`` runs (C, ONNX, TFLite) to the bundle if it is not there yet.

    Exporters that take a block size (TFLite builds a fixed-T graph) get the benchmark's block, so
    every block goes through the graph the engine would use live rather than a fallback path.
    """
    fmt = EXPORT_FORMAT.get(engine)
    if fmt is None or fmt in bundle.manifest.get("artifacts", {}):
        return
    from ..commands.export import FORMATS

    module_name, func_name = FORMATS[fmt]
    func = getattr(importlib.import_module(module_name), func_name)
    try:
        takes_block = "block" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        takes_block = False
    func(bundle, block=block) if takes_block else func(bundle)


def open_runner(name: str, bundle: Bundle, block: int = 48) -> tuple[Any, dict[str, Any]]:
    """A runner for engine ``name`` on ``bundle`` and the options it was opened with.

    Raises whatever the engine raises when it is unavailable; the caller turns that into an n/a row.
    """
    if name == "torch":
        return _TorchEagerRunner(bundle), {"threads": 1, "mode": "model(x_block) under torch.inference_mode()"}
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    options = single_thread_options(name)
    try:
        engine = open_engine(name, bundle, **options)
    except BundleError:
        # The engine runs an exported artifact the fresh bundle does not have yet: export, retry.
        _ensure_export(bundle, name, block)
        engine = open_engine(name, bundle, **options)
    return _EngineRunner(engine), options


# --- rows -------------------------------------------------------------------------------------
@dataclass
class Row:
    """One model on one engine. Times are milliseconds per second of audio."""

    model: str
    model_key: str
    engine: str
    engine_label: str
    macs_per_sample: int
    params: int
    status: str = "ok"  # "ok" or "n/a"
    reason: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    audio_seconds: float | None = None  # audio per timed repeat (less than asked if capped by the budget)
    ms_per_audio_s: float | None = None  # median over repeats (C rows: block loop in C)
    ms_per_audio_s_min: float | None = None
    repeats_ms: list[float] = field(default_factory=list)
    realtime_factor: float | None = None  # audio time / wall time, from the median
    ns_per_mac: float | None = None
    timing: str = "per block from Python"  # C rows: "block loop in C"
    python_calls_ms_per_audio_s: float | None = None  # C rows: the same blocks, each called from Python (cffi)
    one_call_ms_per_audio_s: float | None = None  # C rows: whole signal in one call (no per-block overhead)
    floor_ms_per_audio_s: float | None = None  # C rows: MAC floor at the peak of the same flags
    floor_ratio: float | None = None  # ms_per_audio_s / floor
    one_call_floor_ratio: float | None = None
    peak_flags: list[str] | None = None
    peak_macs_per_s: float | None = None  # the peak the floor was computed from
    peak_source: str | None = None
    # C fast-math LSTM rows (edgefx.bench.floors): throughput floor on the row's MAC-floor yardstick
    latency_floor_ms_per_audio_s: float | None = None
    any_order_latency_floor_ms_per_audio_s: float | None = None  # the chain with the gate sums as a tree
    throughput_floor_ms_per_audio_s: float | None = None
    throughput_floor_x_mac_floor: float | None = None  # throughput floor / MAC floor, both from the probe
    gemv_floor_x_mac_floor: float | None = None  # multiply-adds with their L1 weight loads / MAC floor (probe)
    attainable_ratio: float | None = None  # ms_per_audio_s / max(latency floor, throughput floor)
    max_abs_diff_vs_torch: float | None = None  # over the warm-up audio; a sanity check, not a metric


def mac_floor_ms(macs_per_sample: float, peak_macs_per_s: float, sample_rate: int = SAMPLE_RATE) -> float:
    """Milliseconds per audio-second that the multiply-adds alone take at ``peak_macs_per_s``."""
    return 1000.0 * macs_per_sample * sample_rate / peak_macs_per_s


def apply_floor(row: Row, peak_macs_per_s: float, sample_rate: int = SAMPLE_RATE,
                flags: Sequence[str] | None = None) -> Row:
    """Fill a row's MAC floor and its ratios to it (time / floor; 1.0 would be the peak rate)."""
    floor = mac_floor_ms(row.macs_per_sample, peak_macs_per_s, sample_rate)
    row.floor_ms_per_audio_s = floor
    if row.ms_per_audio_s is not None:
        row.floor_ratio = row.ms_per_audio_s / floor
    if row.one_call_ms_per_audio_s is not None:
        row.one_call_floor_ratio = row.one_call_ms_per_audio_s / floor
    row.peak_flags = list(flags) if flags is not None else None
    row.peak_macs_per_s = peak_macs_per_s
    return row


def _fill_times(row: Row, seconds_each: list[float], audio_s: float, sample_rate: int) -> None:
    ms = [1000.0 * s / audio_s for s in seconds_each]
    row.repeats_ms = ms
    row.ms_per_audio_s = statistics.median(ms)
    row.ms_per_audio_s_min = min(ms)
    row.realtime_factor = 1000.0 / row.ms_per_audio_s if row.ms_per_audio_s > 0 else math.inf
    row.ns_per_mac = 1e6 * row.ms_per_audio_s / (row.macs_per_sample * sample_rate)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def get_host_toolchain_available() -> bool:
    """True if the host C compiler is installed (the C engines and the bench driver need it)."""
    try:
        from ..toolchains import get_toolchain

        return get_toolchain("host").available()
    except Exception:  # noqa: BLE001 - no toolchain module or no host entry
        return False


# --- C flags and peaks ------------------------------------------------------------------------
def c_engine_flags(name: str, options: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The code-generating flags the C engine ``name`` compiles with: the host toolchain's flags
    (what `edgefx.codegen.build` uses), plus -march=native if the engine was opened with it, else
    the host SIMD flags the engine adds (-mavx2 on AVX2 CPUs: see `host_simd_flags`)."""
    try:
        from ..toolchains import get_toolchain

        flags = list(get_toolchain("host").flags)
    except Exception:  # noqa: BLE001 - no toolchain module or no host entry: assume the documented flags
        flags = list(peak_mod.PORTABLE_FLAGS)
    if (options or {}).get("march_native"):
        flags.append("-march=native")
    else:
        from ..codegen.build import host_simd_flags

        flags.extend(host_simd_flags((options or {}).get("avx2")))
    return peak_mod.perf_flags(flags) or peak_mod.PORTABLE_FLAGS


# --- the benchmark ----------------------------------------------------------------------------
def _environment(pin: int | None) -> dict[str, Any]:
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "pinned_core": pin,
        "load_average_start": _loadavg(),
    }
    for mod in ("numpy", "torch", "onnxruntime", "ai_edge_litert"):
        try:
            env[mod] = importlib.import_module(mod).__version__
        except (ImportError, AttributeError):
            env[mod] = None
    try:
        env["gcc"] = subprocess.run(["gcc", "-dumpfullversion"], capture_output=True, text=True,
                                    timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        env["gcc"] = None
    return env


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _loadavg() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def run_cpu_bench(
    models: Sequence[str] = DEFAULT_MODELS,
    engines: Sequence[str] = DEFAULT_ENGINES,
    *,
    seconds: float = 10.0,
    block: int = 48,
    repeats: int = 5,
    sample_rate: int = SAMPLE_RATE,
    pin: int | None = None,
    peaks: dict[str, peak_mod.PeakResult] | None = None,
    measure_native: bool = True,
    measure_floors: bool = True,
    peak_seconds: float = 0.2,
    max_pass_seconds: float | None = 20.0,
    seed: int = 0,
    show_progress: bool = True,
) -> dict[str, Any]:
    """Time every model on every engine; returns a JSON-able result (config, environment, peaks,
    rows, goals, rtneural). Engines that cannot be opened become rows with status "n/a" and a reason.

    ``max_pass_seconds`` caps the wall time of one timed pass: an engine whose warm-up shows it
    would take longer (eager PyTorch on a TCN runs slower than real time) is timed on a shorter
    prefix of the audio, in whole blocks and at least one second, and its row says so.
    ``peaks`` maps a name ("portable", "native", or a C engine name) to a known `PeakResult`, to skip
    measuring it (tests pass one in to check the arithmetic). ``measure_floors`` adds the latency and
    throughput floors to the fast-math LSTM rows (`apply_lstm_floors`).
    """
    if seconds <= 0 or block < 1 or repeats < 1:
        raise ConfigError("--seconds must be > 0, --block >= 1 and --repeats >= 1")
    specs = [parse_model(m) for m in models]
    engines = list(engines)
    import torch

    old_threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one core for everyone: eager PyTorch would otherwise use them all
    old_affinity = None
    if pin is not None:
        old_affinity = os.sched_getaffinity(0)
        try:
            os.sched_setaffinity(0, {pin})
        except (OSError, ValueError) as exc:
            torch.set_num_threads(old_threads)
            raise ConfigError(f"--pin {pin}: cannot pin to that core ({exc}); cores: {sorted(old_affinity)}") from None
    try:
        env = _environment(pin)
        peaks = dict(peaks or {})
        rows = _time_all(specs, engines, seconds, block, repeats, sample_rate, seed, show_progress,
                         max_pass_seconds, peaks, peak_seconds)
        c_options = {r.engine: r.options for r in rows if r.engine in C_ENGINES and r.status == "ok"}
        peaks = _measure_peaks(c_options, peaks, measure_native, peak_seconds, repeats)
        floors_note = _measure_floors(rows, sample_rate) if measure_floors else "not measured"
        env["load_average_end"] = _loadavg()
    finally:
        torch.set_num_threads(old_threads)
        if old_affinity is not None:
            os.sched_setaffinity(0, old_affinity)
    return {
        "benchmark": "edgefx cpu budget",
        "config": {
            "models": [s.key for s in specs],
            "engines": engines,
            "seconds": seconds,
            "block": block,
            "repeats": repeats,
            "sample_rate": sample_rate,
            "threads": 1,
            "weights": "random init (timing does not depend on weight values)",
            "statistic": "median of repeats (min also reported); engines timed round-robin per model",
            "max_pass_seconds": max_pass_seconds,
        },
        "environment": env,
        "peaks": {k: v.to_dict() for k, v in peaks.items()},
        "floors": floors_note,
        "rows": [asdict(r) for r in rows],
        "goals": evaluate_goals(rows),
        "rtneural": rtneural_comparison(rows, sample_rate),
    }


def _measure_peaks(c_options: dict[str, dict[str, Any]], peaks: dict[str, peak_mod.PeakResult], native: bool,
                   min_seconds: float, repeats: int) -> dict[str, peak_mod.PeakResult]:
    """Peaks for the portable flags, each C engine's own flags (shared when equal) and native."""
    by_flags: dict[tuple[str, ...], peak_mod.PeakResult] = {tuple(p.flags): p for p in peaks.values()}

    def get(flags: tuple[str, ...]) -> peak_mod.PeakResult:
        if flags not in by_flags:
            by_flags[flags] = peak_mod.measure_peak(flags, min_seconds, repeats)
        return by_flags[flags]

    if "portable" not in peaks:
        peaks["portable"] = get(peak_mod.PORTABLE_FLAGS)
    for name, options in c_options.items():
        if name not in peaks:
            peaks[name] = get(c_engine_flags(name, options))
    if native and "native" not in peaks:
        peaks["native"] = get(peak_mod.NATIVE_FLAGS)
    return peaks


def _measure_floors(rows: list[Row], sample_rate: int) -> str:
    """Probe the floors for the fast-math LSTM rows (one probe per flag set); returns a note for the report."""
    todo = [r for r in rows if r.engine == "c-fast" and r.status == "ok" and r.model_key.startswith("lstm")]
    if not todo:
        return "no fast-math LSTM rows"
    by_flags: dict[tuple[str, ...], list[Row]] = {}
    for r in todo:
        by_flags.setdefault(c_engine_flags(r.engine, r.options), []).append(r)
    for flags, group in by_flags.items():
        hidden = {id(r): parse_model(r.model_key).hidden for r in group}
        try:
            floors = floors_mod.lstm_floors(flags, sorted(set(hidden.values())), sample_rate=sample_rate)
        except Exception as exc:  # noqa: BLE001 - the floors are context: a failed probe must not lose the run
            return f"probe failed: {_reason(exc)}"
        for r in group:
            apply_lstm_floors(r, floors[hidden[id(r)]])
    return "measured"


def apply_lstm_floors(row: Row, floors: dict[str, float]) -> Row:
    """Fill a fast-math LSTM row's latency and throughput floors. The throughput floor is taken as the
    probe's ratio to its own MAC floor times the row's MAC floor, so that both floors share one peak."""
    ratio = floors["throughput_floor_ms"] / floors["mac_floor_ms"]
    row.throughput_floor_x_mac_floor = ratio
    row.latency_floor_ms_per_audio_s = floors["latency_floor_ms"]
    row.any_order_latency_floor_ms_per_audio_s = floors["any_order_latency_floor_ms"]
    mac_floor = row.floor_ms_per_audio_s if row.floor_ms_per_audio_s is not None else floors["mac_floor_ms"]
    row.throughput_floor_ms_per_audio_s = ratio * mac_floor
    row.gemv_floor_x_mac_floor = floors["gemv_floor_ms"] / floors["mac_floor_ms"]
    if row.ms_per_audio_s is not None:
        row.attainable_ratio = row.ms_per_audio_s / max(row.latency_floor_ms_per_audio_s,
                                                        row.throughput_floor_ms_per_audio_s)
    return row


def _time_all(specs: list[ModelSpec], engines: list[str], seconds: float, block: int, repeats: int,
              sample_rate: int, seed: int, show_progress: bool, budget: float | None,
              given_peaks: dict[str, peak_mod.PeakResult], peak_seconds: float) -> list[Row]:
    from ..commands._common import progress

    x = bench_signal(seconds, sample_rate, seed)
    warm = x[: min(len(x), max(block, sample_rate // 4))]
    rows: list[Row] = []
    bar = progress(total=len(specs) * len(engines) * (repeats + 1), disable=not show_progress, unit="run")
    try:
        with tempfile.TemporaryDirectory(prefix="edgefx-bench-") as tmp:
            for spec in specs:
                rows.extend(_time_model(spec, engines, Path(tmp), x, warm, block, repeats, sample_rate, seed,
                                        budget, bar, given_peaks, peak_seconds))
    finally:
        bar.close()
    return rows


def _capped_length(n: int, warm_s: float, warm_n: int, block: int, sample_rate: int, budget: float | None) -> int:
    """Samples to time: all ``n``, or fewer (whole blocks, >= 1 s) if the warm-up rate says a pass
    would exceed ``budget`` seconds of wall time. The warm-up includes first-call costs, so this
    errs on the short side."""
    if budget is None or warm_n == 0 or warm_s <= 0:
        return n
    fits = int(budget * warm_n / warm_s)
    if fits >= n:
        return n
    return min(n, max(fits, sample_rate) // block * block or block)


def _time_model(spec: ModelSpec, engines: list[str], tmp: Path, x: np.ndarray, warm: np.ndarray, block: int,
                repeats: int, sample_rate: int, seed: int, budget: float | None, bar: Any,
                given_peaks: dict[str, peak_mod.PeakResult], peak_seconds: float) -> list[Row]:
    import torch

    torch.manual_seed(seed)
    model = spec.build().eval()
    bundle = Bundle.create(tmp / spec.key, model, sample_rate, name=f"bench-{spec.key}")
    reference = model.process(torch.from_numpy(warm), block=block).numpy()
    rows: dict[str, Row] = {}
    runners: dict[str, Any] = {}
    signals: dict[str, np.ndarray] = {}
    for name in engines:
        bar.set_description(f"{spec.label} / {name}: open + warm-up")
        row = Row(spec.label, spec.key, name, ENGINE_LABELS.get(name, name), model.macs_per_sample(),
                  model.num_params)
        rows[name] = row
        try:
            runner, row.options = open_runner(name, bundle, block)
            t0 = time.perf_counter()
            y = runner.output(warm, block)  # warm-up (caches, lazy init) and a sanity check
            warm_s = time.perf_counter() - t0
            row.max_abs_diff_vs_torch = float(np.max(np.abs(y[: len(reference)] - reference)))
            signals[name] = x[: _capped_length(len(x), warm_s, len(warm), block, sample_rate, budget)]
            row.audio_seconds = len(signals[name]) / sample_rate
            runners[name] = runner
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to open is reported as an n/a row
            row.status, row.reason = "n/a", _reason(exc)
            bar.update(repeats)
        bar.update(1)
    blocks = {name: [sig[i : i + block] for i in range(0, len(sig), block)] for name, sig in signals.items()}
    times: dict[str, list[float]] = {name: [] for name in runners}
    one_call: dict[str, list[float]] = {name: [] for name in runners if name in C_ENGINES}
    c_loop = {name for name in one_call if getattr(runners[name], "has_c_loop", False)}
    py_calls: dict[str, list[float]] = {name: [] for name in c_loop}
    # C rows without a given peak get one sampled round-robin with their own repeats (same load).
    samplers: dict[tuple[str, ...], peak_mod.PeakSampler] = {}
    c_flags = {name: c_engine_flags(name, rows[name].options) for name in one_call if name not in given_peaks}
    for flags in dict.fromkeys(c_flags.values()):
        samplers[flags] = peak_mod.PeakSampler(flags, min(peak_seconds, 0.1))
    try:
        for r in range(repeats):
            for name, runner in runners.items():
                bar.set_description(f"{spec.label} / {name}: repeat {r + 1}/{repeats}")
                if name in c_loop:  # the C rows' figure: the block loop in C; per-call from Python beside it
                    times[name].append(runner.timed_c_loop(signals[name], block))
                    py_calls[name].append(runner.timed_pass(blocks[name]))
                else:
                    times[name].append(runner.timed_pass(blocks[name]))
                if name in one_call:
                    one_call[name].append(runner.timed_one_call(signals[name]))
                bar.update(1)
            for sampler in samplers.values():
                sampler.sample()
    finally:
        for runner in runners.values():
            runner.close()
    for name, secs in times.items():
        row = rows[name]
        _fill_times(row, secs, row.audio_seconds, sample_rate)
        if name in c_loop:
            row.timing = "block loop in C"
            row.python_calls_ms_per_audio_s = statistics.median(1000.0 * s / row.audio_seconds for s in py_calls[name])
        if name not in one_call:
            continue
        row.one_call_ms_per_audio_s = statistics.median(1000.0 * s / row.audio_seconds for s in one_call[name])
        if name in given_peaks:
            apply_floor(row, given_peaks[name].macs_per_s, sample_rate, given_peaks[name].flags)
            row.peak_source = "given"
        else:
            apply_floor(row, samplers[c_flags[name]].median(), sample_rate, c_flags[name])
            row.peak_source = "median of peak-kernel samples taken round-robin with this model's repeats"
    return [rows[name] for name in engines]


# --- goals and comparisons --------------------------------------------------------------------
def _find(rows: Iterable[Row | dict], model_key: str, engine: str) -> dict | None:
    for r in rows:
        d = asdict(r) if isinstance(r, Row) else r
        if d["model_key"] == model_key and d["engine"] == engine and d["status"] == "ok":
            return d
    return None


def evaluate_goals(rows: Sequence[Row | dict]) -> list[dict[str, Any]]:
    """The issue-3 goals with measured value and PASS / MISS (or n/a when a row is missing)."""
    goals = []
    fast = _find(rows, GOAL_MODEL, "c-fast")
    for peer, factor in SPEEDUP_GOALS:
        other = _find(rows, GOAL_MODEL, peer)
        goal: dict[str, Any] = {
            "goal": f"C fast-math LSTM-16 >= {factor:g}x faster than {ENGINE_LABELS[peer]} (same blocks)",
            "target": factor,
            "measured": None,
            "unit": "x",
        }
        if fast and other and fast["ms_per_audio_s"]:
            goal["measured"] = other["ms_per_audio_s"] / fast["ms_per_audio_s"]
        if other:
            goal["peer"] = ENGINE_LABELS[peer]
            goal["needed_ms_per_audio_s"] = other["ms_per_audio_s"] / factor  # the C loop's time that meets it
        goals.append(goal)
    model_key, factor = FLOOR_GOAL
    for engine in C_ENGINES:
        row = _find(rows, model_key, engine)
        goals.append({
            "goal": f"{ENGINE_LABELS[engine]} LSTM-32 within {factor:g}x of its MAC floor",
            "target": factor,
            "measured": row["floor_ratio"] if row else None,
            "unit": "x floor",
        })
    for g in goals:
        if g["measured"] is None:
            g["result"] = "n/a"
        elif g["unit"] == "x":
            g["result"] = "PASS" if g["measured"] >= g["target"] else "MISS"
        else:
            g["result"] = "PASS" if g["measured"] <= g["target"] else "MISS"
    return goals


def speedup_floor_lines(result: dict[str, Any]) -> list[str]:
    """The LSTM-16 speed-up goals beside the fast cell's any-order latency floor (markdown lines; none
    without the floor or the peers' rows): a goal that needs the C loop below that floor cannot be met on
    this CPU by any kernel computing this cell."""
    fast = _find(result["rows"], GOAL_MODEL, "c-fast")
    floor = fast.get("any_order_latency_floor_ms_per_audio_s") if fast else None
    needs = [g for g in result["goals"] if g.get("needed_ms_per_audio_s") is not None]
    if floor is None or not needs:
        return []
    parts = [f"{g['target']:g}x {g['peer']} needs the C loop at {_fmt(g['needed_ms_per_audio_s'])} ms or less, "
             f"{'below' if g['needed_ms_per_audio_s'] < floor else 'above'} the floor" for g in needs]
    verdict = (" A goal below the floor needs a cheaper fast cell, not a better kernel."
               if any(g["needed_ms_per_audio_s"] < floor for g in needs) else "")
    return ["", f"The fast-math {fast['model']}'s latency floor at any summation order on this machine is "
            f"{_fmt(floor)} ms per audio-s (its fast cell's chain plus a tree of adds; table below). "
            + "; ".join(parts) + "." + verdict]


def floors_section(result: dict[str, Any]) -> list[str]:
    """The fast-math LSTM rows against their latency and throughput floors (markdown lines)."""
    rows = [r for r in result["rows"] if r.get("throughput_floor_ms_per_audio_s") is not None]
    if not rows:
        note = result.get("floors")
        return [f"Latency and throughput floors: {note}.", ""] if note else []
    lines = [
        "**What the fast-math LSTM could still gain** (`edgefx.bench.floors`, probed after the run with the same "
        "flags; `firmware/bench/latency.py` prints the probe). Latency floor: the chain of dependent operations "
        "from one sample's h to the next (H multiply-adds, then the kernel's fast cell: gate sums to c', c' to "
        "h'), which nothing overlaps; at any summation order: the same chain with the gate sums as a tree "
        "(all products at once, then log2(H + 1) adds), which no kernel computing this fast cell beats. "
        "Throughput floor: one sample's multiply-adds and its H fast cells "
        "(activations and cell update) timed together, all independent (no loads, no latency), as a multiple of "
        "the MAC floor. L1 gemv: the multiply-adds with their weight loads and input broadcasts, streamed from L1 "
        "as the kernel streams them, no activations (x MAC floor): what the loads alone add.",
        "",
        "| model | C fast, ms per audio-s | MAC floor, ms | throughput floor, ms (x MAC floor) | L1 gemv (x MAC floor) "
        "| latency floor, ms | at any summation order, ms | x the larger of throughput and latency floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {_fmt(r['ms_per_audio_s'])} | {_fmt(r['floor_ms_per_audio_s'])} "
            f"| {_fmt(r['throughput_floor_ms_per_audio_s'])} ({_fmt(r['throughput_floor_x_mac_floor'])}) "
            f"| {_fmt(r.get('gemv_floor_x_mac_floor'))} "
            f"| {_fmt(r['latency_floor_ms_per_audio_s'])} | {_fmt(r.get('any_order_latency_floor_ms_per_audio_s'))} "
            f"| {_fmt(r['attainable_ratio'])} |"
        )
    lines.append("")
    return lines


def rtneural_comparison(rows: Sequence[Row | dict], sample_rate: int = SAMPLE_RATE) -> dict[str, Any]:
    """ns per MAC of each engine's LSTM-16 beside RTNeural's quoted LSTM-16 layer figure."""
    rt = dict(RTNEURAL)
    rt["ns_per_mac"] = 1e6 * rt["ms_per_audio_s"] / (rt["macs_per_sample"] * rt["sample_rate"])
    rt["realtime_factor"] = 1000.0 / rt["ms_per_audio_s"]
    ours = {}
    for engine in ENGINE_LABELS:
        row = _find(rows, GOAL_MODEL, engine)
        if row:
            ours[engine] = {
                "ms_per_audio_s": row["ms_per_audio_s"],
                "macs_per_sample": row["macs_per_sample"],
                "ns_per_mac": row["ns_per_mac"],
                "rtneural_ns_per_mac_ratio": rt["ns_per_mac"] / row["ns_per_mac"],
            }
    return {
        "rtneural": rt,
        "edgefx": ours,
        "note": "per-MAC comparison across different CPUs (the i7-8700B turbo-boosts to 4.6 GHz); "
                "RTNeural's count is the layer only (4*16*(1+16)), ours includes the 16-MAC head",
    }


# --- writers ----------------------------------------------------------------------------------
def _fmt(v: float | None, digits: int = 3) -> str:
    if v is None:
        return "—"
    if v == 0 or not math.isfinite(v):
        return str(v)
    mag = math.floor(math.log10(abs(v)))
    decimals = max(0, digits - 1 - mag)
    return f"{v:,.{decimals}f}"


def _peak_line(name: str, p: dict) -> str:
    return (f"- **{name}** peak (`{' '.join(p['flags'])}`, {8 * p['vector_bytes']}-bit vectors, "
            f"best kernel: {p['kernel']}): {_fmt(p['gmacs_per_s'])} GMAC/s = {_fmt(p['gflops'])} GFLOP/s "
            f"(1 MAC = 2 flops; kernels: "
            + ", ".join(f"{k} {_fmt(v / 1e9)} GMAC/s" for k, v in p["kernels"].items()) + ")")


def render_markdown(result: dict[str, Any]) -> str:
    """The result as a markdown report: setup, goals, the table, peaks and the RTNeural line."""
    cfg, env = result["config"], result["environment"]
    lines = [
        "# CPU budget: edgefx models on one core",
        "",
        f"{_fmt(cfg['seconds'])} s of {cfg['sample_rate']} Hz audio in blocks of {cfg['block']} samples, "
        f"one thread per engine"
        + (f", process pinned to core {env['pinned_core']}" if env.get("pinned_core") is not None else "")
        + f"; median of {cfg['repeats']} repeats (min beside it), engines timed round-robin per model. "
        "Weights are random-init: the work per sample is fixed by the model's shape, not its weights.",
        "",
        f"Machine: {env.get('cpu')} ({env.get('cores')} cores), Python {env.get('python')}, "
        f"torch {env.get('torch')}, onnxruntime {env.get('onnxruntime')}, ai-edge-litert {env.get('ai_edge_litert')}, "
        f"gcc {env.get('gcc')}. Load average (1/5/15 min) at start {env.get('load_average_start')}, "
        f"at end {env.get('load_average_end')} — on a shared machine, medians carry that noise.",
        "",
        "Goals (reported, not asserted):",
        "",
        "| goal | target | measured | result |",
        "|---|---|---|---|",
    ]
    for g in result["goals"]:
        unit = "x faster" if g["unit"] == "x" else "x floor"
        target = (">= " if g["unit"] == "x" else "<= ") + f"{g['target']:g}{'x' if g['unit'] == 'x' else 'x floor'}"
        measured = f"{_fmt(g['measured'])} {unit}" if g["measured"] is not None else "—"
        lines.append(f"| {g['goal']} | {target} | {measured} | **{g['result']}** |")
    model_key, factor = FLOOR_GOAL
    fast32 = _find(result["rows"], model_key, "c-fast")
    if fast32 and fast32.get("throughput_floor_x_mac_floor") is not None:
        x = fast32["throughput_floor_x_mac_floor"]
        verdict = ("above the goal: its arithmetic alone takes longer" if x > factor else
                   f"leaving {100 * (factor - x) / x:.0f} % of the goal's time for everything else: the weight loads, "
                   "the head and the chain from one sample to the next")
        lines += ["", f"The fast-math {fast32['model']}'s throughput floor on this machine (its multiply-adds and "
                  f"fast cells alone, perfectly overlapped; table below) is {_fmt(x)}x its MAC floor, {verdict}."]
    lines += speedup_floor_lines(result)
    lines += [
        "",
        "C rows: **block loop in C** (`firmware/bench/edgefx_bench_driver.c` calls the model's process once per "
        "block and times the loop with CLOCK_MONOTONIC: what an audio callback pays); the same blocks called one by "
        "one from Python through cffi are in the column \"C per call from Python\". ONNX Runtime, TFLite and "
        "PyTorch are host runtimes and are timed as they are normally used: called per block from Python.",
        "",
        "| model | MACs/sample | engine | ms per audio-s (median; C: loop in C) | min | x real time | ns/MAC "
        "| C per call from Python, ms | C one call, ms | MAC floor, ms | x floor (C loop / one call) "
        "| max abs diff vs torch | note |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["rows"]:
        if r["status"] != "ok":
            lines.append(f"| {r['model']} | {r['macs_per_sample']} | {r['engine_label']} | n/a | | | | | | | | | "
                         f"{r['reason']} |")
            continue
        floor_ratio = ""
        if r["floor_ratio"] is not None:
            floor_ratio = f"{_fmt(r['floor_ratio'])} / {_fmt(r['one_call_floor_ratio'])}"
        notes = [f"{k}={v}" for k, v in r["options"].items() if k != "mode"]
        if r.get("peak_macs_per_s"):
            notes.append(f"floor at {_fmt(r['peak_macs_per_s'] / 1e9)} GMAC/s")
        if r["audio_seconds"] is not None and r["audio_seconds"] < cfg["seconds"] - 1e-9:
            notes.append(f"timed on {_fmt(r['audio_seconds'])} s of audio (pass budget)")
        note = ", ".join(notes)
        diff = r["max_abs_diff_vs_torch"]
        diff_text = "" if diff is None else ("0" if diff == 0 else f"{diff:.1e}")
        lines.append(
            f"| {r['model']} | {r['macs_per_sample']} | {r['engine_label']} | {_fmt(r['ms_per_audio_s'])} "
            f"| {_fmt(r['ms_per_audio_s_min'])} | {_fmt(r['realtime_factor'])} | {_fmt(r['ns_per_mac'])} "
            f"| {'' if r.get('python_calls_ms_per_audio_s') is None else _fmt(r['python_calls_ms_per_audio_s'])} "
            f"| {_fmt(r['one_call_ms_per_audio_s']) if r['one_call_ms_per_audio_s'] is not None else ''} "
            f"| {_fmt(r['floor_ms_per_audio_s']) if r['floor_ms_per_audio_s'] is not None else ''} "
            f"| {floor_ratio} | {diff_text} | {note} |"
        )
    lines += [
        "",
        "MAC floor = MACs/sample x sample rate / peak MACs/s of one core, for the C rows: the peak kernel is "
        "built with the same compiler flags as that C build and sampled round-robin with the same model's "
        "repeats (so both see the same machine load); the rate used is in the note column. "
        "\"C one call\" is the same C engine given the whole signal in one call from Python; "
        "\"C per call from Python\" minus the C-loop time is the per-block overhead of Python, numpy and cffi, "
        "which a pedal does not pay. The speed-up goals compare the C-loop figure with the other runtimes' "
        "per-block-from-Python figure (their normal use).",
        "PyTorch eager is `model(x_block)` per block under `torch.inference_mode()` with `torch.set_num_threads(1)`.",
        "",
    ]
    lines += floors_section(result)
    lines += [
        "Peak single-core float32 multiply-add rate measured after the run (`edgefx.bench.peak`, median of "
        "repeats, >= 0.2 s each; the best of a register-only multiply-add chain kernel and an L1 dot-product "
        "kernel):",
        "",
    ]
    seen = set()
    for name, p in result["peaks"].items():
        key = tuple(p["flags"])
        if key in seen and name in C_ENGINES:
            lines.append(f"- **{name}**: same flags as above (`{' '.join(p['flags'])}`)")
            continue
        seen.add(key)
        lines.append(_peak_line(name, p))
    lines += ["", rtneural_line(result["rtneural"]), ""]
    return "\n".join(lines)


def rtneural_line(cmp: dict[str, Any]) -> str:
    """One sentence: RTNeural's LSTM-16 per MAC beside ours."""
    rt = cmp["rtneural"]
    head = (f"RTNeural comparison: {rt['what']}, {rt['ms_per_audio_s']} ms per audio-second "
            f"({_fmt(rt['realtime_factor'])}x real time) on an {rt['cpu']} = {_fmt(rt['ns_per_mac'])} ns/MAC "
            f"at {rt['macs_per_sample']} MACs/sample (4*16*(1+16), layer only, 48 kHz assumed).")
    if not cmp["edgefx"]:
        return head + " No edgefx LSTM-16 row was measured."
    parts = [
        f"{ENGINE_LABELS.get(e, e)} {_fmt(v['ms_per_audio_s'])} ms = {_fmt(v['ns_per_mac'])} ns/MAC "
        f"({_fmt(v['rtneural_ns_per_mac_ratio'])}x RTNeural's per-MAC speed)"
        for e, v in cmp["edgefx"].items()
    ]
    return head + f" edgefx LSTM-16 ({next(iter(cmp['edgefx'].values()))['macs_per_sample']} MACs/sample " \
        "incl. head): " + "; ".join(parts) + ". Different CPUs: compare orders of magnitude, not digits."


def render_plot(result: dict[str, Any], path: str | Path) -> Path:
    """Log-scale grouped bars: µs per audio-second by model and engine, real-time line, C MAC floors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    rows = result["rows"]
    models = list(dict.fromkeys(r["model"] for r in rows))
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    width = 0.8 / max(1, len(engines))
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(models) + 3), 5.5))
    missing = []  # x positions of n/a rows, marked once the axis range is known
    unavailable: list[Any] = []
    for j, engine in enumerate(engines):
        xs, ys = [], []
        for i, m in enumerate(models):
            r = next((r for r in rows if r["model"] == m and r["engine"] == engine), None)
            x = i + (j - (len(engines) - 1) / 2) * width
            if r and r["status"] == "ok":
                xs.append(x)
                ys.append(1000.0 * r["ms_per_audio_s"])
            else:
                missing.append(x)
        label = ENGINE_LABELS.get(engine, engine)
        if ys:
            ax.bar(xs, ys, width, label=label, color=PLOT_COLORS.get(engine))
        else:  # no bar to take the legend entry from
            unavailable.append(Patch(color=PLOT_COLORS.get(engine, "0.7"), label=f"{label} (n/a)"))
    floors = {r["model"]: 1000.0 * r["floor_ms_per_audio_s"] for r in rows if r.get("floor_ms_per_audio_s")}
    labelled = False
    for i, m in enumerate(models):
        if m in floors:
            ax.hlines(floors[m], i - 0.45, i + 0.45, colors="k", linestyles=":", linewidth=1.2,
                      label=None if labelled else "C MAC floor (same flags)")
            labelled = True
    ax.axhline(1e6, color="k", linestyle="--", linewidth=1.2, label="real time (1 s per audio-second)")
    ax.set_yscale("log")
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels(models, rotation=30, ha="right")
    ax.set_ylabel("µs per audio-second (log)")
    cfg = result["config"]
    ax.set_title(f"CPU time per second of {cfg['sample_rate'] // 1000} kHz audio, blocks of {cfg['block']}, "
                 f"one core (median of {cfg['repeats']})")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    bottom = ax.get_ylim()[0]
    for x in missing:
        ax.text(x, bottom * 1.15, "n/a", ha="center", va="bottom", fontsize=7, rotation=90, color="0.4")
    ax.set_xlim(-0.6, len(models) - 0.4)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=handles + unavailable, fontsize=8, ncol=2)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_outputs(result: dict[str, Any], out_dir: str | Path, stem: str = "cpu") -> dict[str, Path]:
    """Write ``<stem>.md``, ``<stem>.json`` and ``<stem>.png`` into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out / f"{stem}.md", "json": out / f"{stem}.json", "plot": out / f"{stem}.png"}
    paths["markdown"].write_text(render_markdown(result))
    paths["json"].write_text(json.dumps(result, indent=2, default=_json_default) + "\n")
    render_plot(result, paths["plot"])
    return paths


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")

