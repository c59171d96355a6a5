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


def test_command_line_writes_amp_db_as_one_word(bench):
    """A negative LO,HI after a space would be read as an option: the command line joins it with '='."""
    args = argparse.Namespace(quick=False, part="ours", only=None, steps=12000, lr=None, lr_schedule=None,
                              nmr_mean="arithmetic", amp_db="-40,0", notes_step=1, knob=None)
    line = bench.command_line(args)
    assert line == "benchmarks/bench_antialias.py --part ours --steps 12000 --nmr-mean arithmetic --amp-db=-40,0"


def test_command_line_reproduces_the_teacher_recipe(bench):
    """--train-epochs and --train-recipe change the teacher, so a result file's command line carries them."""
    args = argparse.Namespace(quick=False, part="ours", only="distortion LSTM-16", steps=12000, lr=None,
                              lr_schedule=None, train_minutes=35.0, train_seconds=180.0, train_epochs=300,
                              train_recipe="paper", notes_step=1, knob=["boost=1"])
    assert bench.command_line(args) == ("benchmarks/bench_antialias.py --part ours --only 'distortion LSTM-16' "
                                        "--steps 12000 --train-minutes 35 --train-seconds 180 --train-epochs 300 "
                                        "--train-recipe paper --knob boost=1")


def _kept_teacher(path, pedal="fuzz", knobs=None, seconds=90.0):
    from edgefx.bundle import Bundle
    from edgefx.codegen.samples import sample_model

    source = {"kind": "pedal", "pedal": pedal, "knobs": knobs or {"drive": 1.0}, "signal": {"duration_s": seconds},
              "y_sha256": "ab" * 32}
    Bundle.create(path, sample_model("lstm4", seed=1), 44100, training={"source": source},
                  metrics={"test": {"esr": 0.25}})


def test_kept_teacher_is_reused(bench, tmp_path):
    _kept_teacher(tmp_path / "fuzz-lstm-4")
    model, metrics = bench.load_teacher(tmp_path / "fuzz-lstm-4", "fuzz", {"drive": 1.0}, 90.0)
    assert metrics == {"esr": 0.25}
    assert sum(p.numel() for p in model.parameters()) > 0
    assert bench.load_teacher(tmp_path / "absent", "fuzz", {"drive": 1.0}, 90.0) is None
    assert bench.load_teacher(tmp_path / "fuzz-lstm-4", "fuzz", {"drive": 1.0}, 90.0, "ab" * 32)[1] == metrics


def test_teacher_of_another_pedal_rendering_is_refused(bench, tmp_path):
    """A kept teacher whose training target no longer matches the pedal's render (its design changed)."""
    _kept_teacher(tmp_path / "t")
    with pytest.raises(SystemExit, match="another rendering of 'fuzz'.*abababababab, now cdcdcdcdcdcd"):
        bench.load_teacher(tmp_path / "t", "fuzz", {"drive": 1.0}, 90.0, "cd" * 32)


@pytest.mark.parametrize("pedal, knobs, seconds", [("distortion", {"drive": 1.0}, 90.0),
                                                   ("fuzz", {"drive": 1.0, "tone": 1.0}, 90.0),
                                                   ("fuzz", {"drive": 1.0}, 180.0)])
def test_teacher_from_another_setup_is_refused(bench, tmp_path, pedal, knobs, seconds):
    _kept_teacher(tmp_path / "t")
    with pytest.raises(SystemExit, match="give --teachers another directory"):
        bench.load_teacher(tmp_path / "t", pedal, knobs, seconds)


def test_command_line_reproduces_lambda_and_the_pedals_part(bench):
    args = argparse.Namespace(quick=False, part="ours", only="distortion TCN nano", steps=2000, lr=None, lam=0.2,
                              lr_schedule=None, train_minutes=None, train_seconds=None, notes_step=1, knob=None)
    assert bench.command_line(args) == ("benchmarks/bench_antialias.py --part ours --only 'distortion TCN nano' "
                                        "--steps 2000 --lam 0.2")
    args = argparse.Namespace(quick=False, part="pedals", only=None, steps=None, lr=None, lam=None, lr_schedule=None,
                              train_minutes=None, train_seconds=None, notes_step=1, knob=None)
    assert bench.command_line(args) == "benchmarks/bench_antialias.py --part pedals"


def test_a_teacher_epoch_cap_below_one_is_refused_by_name(bench, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["bench_antialias.py", "--part", "ours", "--train-epochs", "0"])
    with pytest.raises(SystemExit):
        bench.main()
    assert "--train-epochs must be at least 1 (got 0)" in capsys.readouterr().err


def test_a_kept_student_loads_back_and_a_rerun_replaces_it(bench, tmp_path):
    import torch

    from edgefx.antialias.finetune import get_recipe
    from edgefx.bundle import Bundle
    from edgefx.codegen.samples import sample_model

    x = torch.randn(1, 256)
    recipe = get_recipe("default", steps=10)
    for seed in (1, 2):  # the second run's student replaces the first's
        student = sample_model("lstm4", seed=seed)
        path = bench.keep_student(tmp_path, "fuzz LSTM-4", student, recipe, 10)
        assert path == tmp_path / "fuzz-lstm-4"
        bundle = Bundle.load(path)
        # the same manifest shape as an `edgefx antialias` student's
        assert bundle.manifest["training"] == {"stage": "antialias", "from": "fuzz LSTM-4", "recipe": "default",
                                               "steps": 10}
        assert bundle.manifest["antialias"] == {"recipe": recipe.to_dict(), "steps": 10}
        with torch.no_grad():
            assert torch.equal(bundle.load_model().process(x, None), student.process(x, None))
