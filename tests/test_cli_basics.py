"""The CLI end to end on tiny inputs: help, train -> run -> info, and clear errors (no tracebacks)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from edgefx.audio import read_wav, write_wav
from edgefx.cli import main

RATE = 16000


@pytest.fixture(scope="module")
def wavs(tmp_path_factory):
    d = tmp_path_factory.mktemp("wavs")
    rng = np.random.default_rng(1)
    t = np.arange(int(1.5 * RATE)) / RATE
    x = (0.4 * np.sin(2 * np.pi * 196 * t) * np.exp(-3 * (t % 0.5)) + 0.01 * rng.standard_normal(t.size))
    y = 0.5 * np.tanh(3 * x)
    write_wav(d / "in.wav", x.astype(np.float32), RATE)
    write_wav(d / "target.wav", y.astype(np.float32), RATE)
    return d


@pytest.fixture(scope="module")
def bundle(wavs, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "tiny"
    rc = main(["train", "--input", str(wavs / "in.wav"), "--target", str(wavs / "target.wav"), "--arch", "lstm",
               "--hidden", "3", "--epochs", "1", "--no-progress", "--out", str(out), "--json"])
    assert rc == 0
    return out


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for cmd in ("train", "run", "info", "demo"):
        assert cmd in text


def test_train_writes_bundle(bundle, capsys):
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["model"]["config"]["hidden"] == 3
    test = manifest["metrics"]["test"]
    assert {"esr", "esr_db", "dc", "mrstft", "esr_preemph", "peak_error", "duration_s"} <= set(test)
    tr = manifest["training"]
    assert tr["epochs_run"] == 1 and tr["seed"] == 0 and tr["source"]["kind"] == "wav"
    assert tr["recipe"]["name"] == "default" and len(tr["history"]) == 1
    for rel in ("plots/prediction.png", "plots/error_spectrum.png", "plots/training.png", "report.md"):
        assert rel in manifest["files"] and (bundle / rel).is_file()
    assert not (bundle.parent / f"{bundle.name}.ckpt").exists()  # checkpoint removed after success


def test_train_json_stdout_is_json(wavs, tmp_path, capsys):
    out = tmp_path / "b"
    rc = main(["train", "--input", str(wavs / "in.wav"), "--target", str(wavs / "target.wav"), "--arch", "gru",
               "--hidden", "2", "--epochs", "1", "--no-progress", "--out", str(out), "--json", "--duration", "1.0"])
    assert rc == 0
    result = json.loads(capsys.readouterr().out)
    assert result["arch"] == "gru" and "esr" in result["test"]
    # an existing bundle is not replaced without --force
    rc = main(["train", "--input", str(wavs / "in.wav"), "--target", str(wavs / "target.wav"), "--arch", "gru",
               "--hidden", "2", "--epochs", "1", "--no-progress", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc != 0 and "--force" in err and "Traceback" not in err


def test_run_and_info(bundle, wavs, tmp_path, capsys):
    capsys.readouterr()
    out_wav = tmp_path / "y.wav"
    assert main(["run", str(bundle), str(wavs / "in.wav"), str(out_wav), "--json"]) == 0
    y, rate = read_wav(out_wav)
    assert rate == RATE and y.size == int(1.5 * RATE)
    capsys.readouterr()
    assert main(["info", str(bundle), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["schema"] == "edgefx-bundle" and info["training"]["epochs_run"] == 1


def _fails(capsys, argv: list[str], *needles: str) -> None:
    capsys.readouterr()
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc != 0, err
    assert "Traceback" not in err
    for n in needles:
        assert n in err, err


def test_errors_are_clear(capsys, wavs, tmp_path):
    out = str(tmp_path / "x")
    base = ["--arch", "lstm", "--hidden", "2", "--epochs", "1", "--no-progress", "--out", out]
    _fails(capsys, ["train", "--pedal", "nosuchpedal", *base], "nosuchpedal")
    _fails(capsys, ["train", "--pedal", "overdrive", "--knob", "wobble=1", *base], "wobble")
    _fails(capsys, ["train", "--pedal", "overdrive", "--knob", "drive", *base], "NAME=VALUE")
    _fails(capsys, ["train", "--input", str(tmp_path / "missing.wav"), "--target", str(wavs / "target.wav"), *base],
           "missing.wav", "no such file")
    nan = np.zeros(RATE, np.float32)
    nan[5] = np.nan
    import soundfile as sf

    sf.write(str(tmp_path / "nan.wav"), nan, RATE, subtype="FLOAT")
    _fails(capsys, ["train", "--input", str(tmp_path / "nan.wav"), "--target", str(wavs / "target.wav"), *base],
           "nan.wav", "NaN")
    _fails(capsys, ["train", "--input", str(wavs / "in.wav"), "--target", str(wavs / "target.wav"), "--rate", "48000",
                    *base], "16000 Hz", "48000 Hz")
    _fails(capsys, ["train", "--input", str(wavs / "in.wav"), *base], "--target")
    _fails(capsys, ["train", "--pedal", "overdrive", "--arch", "tcn", "--hidden", "8", "--out", out], "--hidden")
    _fails(capsys, ["train", "--pedal", "overdrive", "--arch", "lstm", "--recipe", "turbo", "--out", out], "turbo")
    _fails(capsys, ["train", "--pedal", "overdrive", "--arch", "lstm", "--resume", "--epochs", "1",
                    "--duration", "30", "--no-progress", "--out", out], "no checkpoint")


def test_manifest_mismatch_is_clear(bundle, wavs, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(bundle, copy)
    (copy / "report.md").write_text("edited\n")
    _fails(capsys, ["run", str(copy), str(wavs / "in.wav"), str(tmp_path / "o.wav")], "report.md", "sha256")
    _fails(capsys, ["info", str(copy)], "report.md")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_rarely_into_a_log_and_every_second_on_a_terminal():
    """A long run's bar into a log file (nohup, CI) is redrawn every LOG_INTERVAL_S, not every second."""
    from edgefx.commands._common import LOG_INTERVAL_S, progress

    log, term = io.StringIO(), _Terminal()
    with progress(total=10, file=log, desc="fine-tune") as bar_log, progress(total=10, file=term) as bar_term:
        assert bar_log.mininterval == LOG_INTERVAL_S > 1.0
        assert bar_term.mininterval == 1.0
        # a new description or postfix forces a redraw on a terminal, and waits for the timed one in a log
        drawn_log, drawn_term = log.getvalue().count("\r"), term.getvalue().count("\r")
        bar_log.set_description("fine-tune step 2")
        bar_log.set_postfix(loss=0.5)
        bar_log.set_postfix_str("loss 0.4")
        bar_term.set_postfix_str("loss 0.4")
        assert log.getvalue().count("\r") == drawn_log
        assert term.getvalue().count("\r") == drawn_term + 1
        bar_log.update(10)
    assert "fine-tune step 2" in log.getvalue() and "10/10" in log.getvalue() and "loss 0.4" in log.getvalue()
