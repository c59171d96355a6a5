"""Benchmarks that measure edgefx on the host: the CPU budget per model and engine, and the
single-core multiply-add peak that budget is compared against.

    from edgefx.bench import run_cpu_bench, write_outputs, measure_peak
"""

from __future__ import annotations

from .cpu import (
    DEFAULT_ENGINES,
    DEFAULT_MODELS,
    Row,
    apply_floor,
    evaluate_goals,
    mac_floor_ms,
    parse_model,
    render_markdown,
    render_plot,
    run_cpu_bench,
    write_outputs,
)
from .peak import NATIVE_FLAGS, PORTABLE_FLAGS, PeakResult, measure_peak

__all__ = [
    "DEFAULT_ENGINES",
    "DEFAULT_MODELS",
    "NATIVE_FLAGS",
    "PORTABLE_FLAGS",
    "PeakResult",
    "Row",
    "apply_floor",
    "evaluate_goals",
    "mac_floor_ms",
    "measure_peak",
    "parse_model",
    "render_markdown",
    "render_plot",
    "run_cpu_bench",
    "write_outputs",
]
