"""The anti-aliasing reproduction script's argument handling (the runs themselves are benchmarks)."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_antialias.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_antialias", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_knob_overrides_merge_over_the_teacher_defaults(bench):
    assert bench.teacher_knobs(None) == bench.TEACHER_KNOBS
    knobs = bench.teacher_knobs(["tone=1", "drive=0.75"])
    assert knobs == {**bench.TEACHER_KNOBS, "tone": 1.0, "drive": 0.75}
    assert bench.TEACHER_KNOBS == {"drive": 1.0}  # the defaults are not modified


@pytest.mark.parametrize("bad", ["tone", "tone=bright", "=1", "tone="])
def test_malformed_knob_is_named_in_the_error(bench, bad):
    with pytest.raises(SystemExit, match="NAME=VALUE") as err:
        bench.teacher_knobs([bad])
    assert repr(bad) in str(err.value)


def test_command_line_reproduces_the_knobs(bench):
    args = argparse.Namespace(quick=False, part="ours", only="fuzz LSTM-16", steps=None, lr=None, lr_schedule=None,
                              train_minutes=20.0, train_seconds=None, notes_step=1, knob=["tone=1"])
    assert bench.command_line(args) == ("benchmarks/bench_antialias.py --part ours --only 'fuzz LSTM-16' "
                                        "--train-minutes 20 --knob tone=1")
