"""`edgefx antialias` and `edgefx aliasing` on tiny bundles (reduced evaluation sets)."""

from __future__ import annotations

import json

import pytest
import torch

from edgefx.bundle import Bundle
from edgefx.cli import main
from edgefx.commands.antialias import parse_notes
from edgefx.errors import ConfigError
from edgefx.models import RecurrentModel

torch.set_num_threads(1)
RATE = 44100


def tiny_bundle(path, rate: int = RATE) -> Bundle:
    torch.manual_seed(0)
    m = RecurrentModel("lstm", 4)
    with torch.no_grad():
        m.rnn.weight_ih_l0.mul_(100.0)
        m.head.weight.mul_(3.0)
    return Bundle.create(path, m, rate)


def run_json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_aliasing_json_and_plots(tmp_path, capsys):
    b = tiny_bundle(tmp_path / "m")
    out = run_json(capsys, ["aliasing", str(b.path), "--json", "--notes", "40:100:20", "--levels", "-6",
                            "--teacher", str(b.path)])
    assert out["tones"] == 4 and out["levels_db"] == [-6.0]
    s = out["summary"]
    for key in ("nmr_s_db_mean", "nmr_s_mean_db", "esr_s_db_mean", "esr_t_db_mean", "hesr_t_db_mean"):
        assert key in s
    assert s["hesr_t_db_mean"] < -150  # the model against itself as teacher
    assert len(out["per_tone"]["nmr_s_db"]) == 4
    # default plot folder is inside the bundle: files are written and recorded in the manifest
    names = {p.split("/")[-1] for p in out["plots"]}
    assert names == {"aliasing_spectrum.png", "aliasing_nmr_vs_f0.png", "aliasing_sweep.png"}
    manifest = Bundle.load(b.path).manifest  # verifies the recorded hashes too
    assert set(out["plots_recorded_in_bundle"]) <= set(manifest["files"])
    assert len(out["plots_recorded_in_bundle"]) == 3


def test_aliasing_plots_outside_bundle_not_recorded(tmp_path, capsys):
    b = tiny_bundle(tmp_path / "m")
    out = run_json(capsys, ["aliasing", str(b.path), "--json", "--notes", "60:60", "--levels", "-6",
                            "--plots", str(tmp_path / "figs")])
    assert (tmp_path / "figs" / "aliasing_nmr_vs_f0.png").is_file()
    assert out["plots_recorded_in_bundle"] == []


def test_aliasing_human_summary_shows_all_three_averagings(tmp_path, capsys):
    b = tiny_bundle(tmp_path / "m")
    args = ["aliasing", str(b.path), "--notes", "60:100:40", "--levels=-18,-6", "--no-plots"]
    assert main(args) == 0
    text = capsys.readouterr().out
    s = run_json(capsys, args + ["--json"])["summary"]
    header = next(line for line in text.splitlines() if line.startswith("metric"))
    assert header.split()[1:] == ["mean", "of", "dB", "dB", "of", "mean", "paper", "avg"]
    nmr_row = next(line for line in text.splitlines() if line.startswith("NMR-S"))
    shown = [float(v) for v in nmr_row.split()[1:]]
    assert shown == [round(s["nmr_s_db_mean"], 1), round(s["nmr_s_mean_db"], 1), round(s["nmr_s_paper_db"], 1)]


def test_antialias_cli(tmp_path, capsys):
    b = tiny_bundle(tmp_path / "m")
    out = run_json(capsys, ["antialias", str(b.path), "--out", str(tmp_path / "m-aa"), "--steps", "10",
                            "--batch", "2", "--lambda", "0.5", "--notes", "60:100:40", "--levels", "-6", "--json"])
    assert out["steps"] == 10 and out["eval_tones"] == 2
    assert {"nmr_s_db_mean", "nmr_s_mean_db"} <= set(out["before"]) and "esr_t_db_mean" in out["after"]
    aa = Bundle.load(tmp_path / "m-aa").manifest["antialias"]
    assert aa["loss_weights"]["nmr"] == 0.5
    # refuses to overwrite without --force
    assert main(["antialias", str(b.path), "--out", str(tmp_path / "m-aa"), "--steps", "10"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_errors(tmp_path, capsys):
    # a tone at/above Nyquist: MIDI 108 (4186 Hz) at 8 kHz
    low = tiny_bundle(tmp_path / "low", rate=8000)
    assert main(["aliasing", str(low.path), "--no-plots", "--notes", "100:108:8", "--levels", "-6"]) == 2
    assert "Nyquist" in capsys.readouterr().err
    # an architecture the anti-aliasing tools do not know
    b = tiny_bundle(tmp_path / "odd")
    b.manifest["model"]["config"]["arch"] = "transformer"
    b.save()
    assert main(["aliasing", str(b.path), "--no-plots"]) == 2
    assert "transformer" in capsys.readouterr().err
    assert main(["antialias", str(b.path), "--steps", "10"]) == 2
    assert "transformer" in capsys.readouterr().err
    with pytest.raises(ConfigError):
        parse_notes("30:20")
    assert parse_notes("21:108:12") == list(range(21, 109, 12))
