"""Capture preparation: checks, latency, polarity, repeatability, splits, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import lfilter, resample_poly

from edgefx.audio import write_wav
from edgefx.capture import load_capture, prepare_capture, split_arrays
from edgefx.cli import main
from edgefx.errors import AudioFileError, CaptureError
from edgefx.signals.capture import capture_signal
from edgefx.signals.guitar import bass_phrase, guitar_phrase

RATE = 48000
LATENCY = 137


def pedal(x: np.ndarray) -> np.ndarray:
    """A pedal-like device: tanh drive and a gentle one-pole low-pass (its response peaks at n=0)."""
    return lfilter([0.7], [1.0, -0.3], np.tanh(3.0 * np.asarray(x, np.float64))).astype(np.float32)


def record(x: np.ndarray, latency: int = LATENCY, tail: int = 0, noise: float = 1e-4, seed: int = 0) -> np.ndarray:
    """What an interface records: latency, the device, a noise floor and a tail."""
    y = np.concatenate([np.zeros(latency, np.float32), pedal(x), np.zeros(tail, np.float32)])
    return y + noise * np.random.default_rng(seed).standard_normal(y.size).astype(np.float32)


@pytest.fixture(scope="module")
def cap() -> tuple[np.ndarray, object]:
    return capture_signal(RATE, 20.0, seed=0)


@pytest.fixture
def input_wav(tmp_path: Path, cap) -> Path:
    x, _ = cap
    return write_wav(tmp_path / "capture_in.wav", x, RATE)


def _prep(tmp_path: Path, input_wav: Path, y: np.ndarray, rate: int = RATE, **kw):
    tgt = write_wav(tmp_path / "target.wav", y, rate)
    return prepare_capture(input_wav, tgt, tmp_path / "out", **kw)


def test_blip_latency_recovered_exactly_and_outputs_written(tmp_path, input_wav, cap) -> None:
    x, lay = cap
    rep = _prep(tmp_path, input_wav, record(x, tail=RATE // 2))
    assert rep.alignment == "blips" and rep.latency_samples == LATENCY
    assert rep.latency_ms == pytest.approx(1000 * LATENCY / RATE, abs=1e-3)
    assert rep.polarity == "normal" and rep.drift_samples == 0
    assert rep.layout is not None and rep.layout["seed"] == 0
    assert rep.validation_esr is not None and rep.validation_esr < 1e-3
    assert rep.warnings == []
    xs, ys, rate, splits = load_capture(tmp_path / "out")
    assert rate == RATE and xs.size == ys.size == x.size
    assert splits == lay.splits
    assert np.array_equal(xs, x)
    # Aligned: target equals the device applied to the input, up to the added noise floor.
    assert np.max(np.abs(ys - pedal(x))) < 1e-3
    meta = json.loads((tmp_path / "out" / "capture.json").read_text())
    assert meta["latency_samples"] == LATENCY and meta["input_file"] == "capture_in.wav"
    assert len(meta["input_sha256"]) == 64 and meta["target_sha256"] != meta["input_sha256"]
    parts = split_arrays(xs, ys, splits)
    assert set(parts) == {"train", "val", "test"}
    assert sum(a.size for a, _ in parts["train"]) == sum(e - s for s, e in splits["train"])


def test_inverted_polarity_detected_and_kept_or_flipped(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    rep = _prep(tmp_path, input_wav, -record(x))
    assert rep.latency_samples == LATENCY and rep.polarity == "inverted" and not rep.polarity_flipped
    assert any("inverts polarity" in n for n in rep.notes)
    _, ys, _, _ = load_capture(tmp_path / "out")
    assert np.corrcoef(ys, pedal(x))[0, 1] < -0.99
    rep = _prep(tmp_path, input_wav, -record(x), flip_polarity=True)
    assert rep.polarity_flipped
    _, ys, _, _ = load_capture(tmp_path / "out")
    assert np.corrcoef(ys, pedal(x))[0, 1] > 0.99


def test_xcorr_fallback_for_foreign_input(tmp_path) -> None:
    x = np.concatenate([np.zeros(RATE // 4), guitar_phrase(8.0, RATE, seed=5), bass_phrase(4.0, RATE, seed=5)])
    inp = write_wav(tmp_path / "my_di.wav", x.astype(np.float32), RATE)
    rep = _prep(tmp_path, inp, record(x, tail=300))
    assert rep.alignment == "xcorr" and rep.layout is None
    assert rep.latency_samples == LATENCY and rep.tail_trimmed_samples == 300
    assert any("not the standard" in n for n in rep.notes)
    n = x.size
    assert rep.splits == {
        "train": [(0, int(0.8 * n))],
        "val": [(int(0.8 * n), int(0.9 * n))],
        "test": [(int(0.9 * n), n)],
    }
    # Inverted through the fallback too.
    rep = _prep(tmp_path, inp, -record(x))
    assert rep.latency_samples == LATENCY and rep.polarity == "inverted"


def test_blips_hidden_falls_back_to_xcorr(tmp_path, input_wav, cap) -> None:
    x, lay = cap
    y = record(x)
    for p in lay.blips:  # a noise gate that swallowed the blips
        y[p + LATENCY - 20 : p + LATENCY + 200] = 0.0
    rep = _prep(tmp_path, input_wav, y)
    assert rep.alignment == "xcorr" and rep.latency_samples == LATENCY
    assert any("blips not clearly visible" in n for n in rep.notes)


def test_inconsistent_blips_refused(tmp_path, input_wav, cap) -> None:
    x, lay = cap
    y = record(x)
    p = lay.start_blips[1] + LATENCY
    y[p + 40] = y[p]  # the second blip comes out 40 samples late
    y[p - 2 : p + 3] = 0.0
    with pytest.raises(CaptureError, match="inconsistent latencies"):
        _prep(tmp_path, input_wav, y)


def test_unrelated_target_refused_as_ambiguous(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    y = 0.1 * np.random.default_rng(9).standard_normal(x.size + 1000).astype(np.float32)
    with pytest.raises(CaptureError, match=r"target\.wav: ambiguous alignment"):
        _prep(tmp_path, input_wav, y)


def test_rate_mismatch_refused_then_resampled(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    y48 = record(x)
    y44 = resample_poly(y48.astype(np.float64), 147, 160).astype(np.float32)
    with pytest.raises(CaptureError, match=r"44100 Hz differs .*--resample"):
        _prep(tmp_path, input_wav, y44, rate=44100)
    rep = _prep(tmp_path, input_wav, y44, rate=44100, resample=True)
    assert rep.rate == RATE and "target 44100->48000" in rep.resampled
    assert any("resampled" in w for w in rep.warnings)
    assert abs(rep.latency_samples - LATENCY) <= 1
    # Both to a third rate: the layout is re-derived for it.
    tgt = tmp_path / "target.wav"
    rep = prepare_capture(input_wav, tgt, tmp_path / "out44", resample=True, rate=44100)
    assert rep.rate == 44100 and "input 48000->44100" in rep.resampled
    assert abs(rep.latency_samples - round(LATENCY * 44100 / RATE)) <= 1
    assert rep.alignment == "blips" and rep.layout["rate"] == 44100


def test_stereo_identical_ok_different_refused(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    y = record(x)
    rep = _prep(tmp_path, input_wav, np.stack([y, y], axis=1))
    assert rep.latency_samples == LATENCY
    assert any("2 identical channels" in w for w in rep.warnings)
    with pytest.raises(CaptureError, match=r"channels that differ .*channel 1"):
        _prep(tmp_path, input_wav, np.stack([y, 0.01 * y[::-1]], axis=1))


def test_clipping_warned_then_refused(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    y = record(x)
    y[RATE * 12 : RATE * 12 + 30] = 1.0  # one short clipped run
    rep = _prep(tmp_path, input_wav, y)
    assert any("30 clipped samples in 1 runs (first at 12.000 s)" in w for w in rep.warnings)
    with pytest.raises(CaptureError, match="heavily clipped"):
        _prep(tmp_path, input_wav, np.clip(4.0 * record(x), -1.0, 1.0))


def test_silent_target_refused(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    with pytest.raises(CaptureError, match=r"target\.wav: silent"):
        _prep(tmp_path, input_wav, np.zeros(x.size + 200, np.float32))


def test_daw_tail_trimmed_and_short_target_refused(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    rep = _prep(tmp_path, input_wav, record(x, tail=RATE))
    assert rep.tail_trimmed_samples == RATE
    xs, ys, _, _ = load_capture(tmp_path / "out")
    assert xs.size == ys.size == x.size
    # Exported at the input's length: the last `latency` samples are trailing silence: padded.
    rep = _prep(tmp_path, input_wav, record(x)[: x.size])
    assert rep.padded_samples == LATENCY and rep.latency_samples == LATENCY
    with pytest.raises(CaptureError, match="too short"):
        _prep(tmp_path, input_wav, record(x)[: x.size - RATE])


def test_repeatability_warning(tmp_path, input_wav, cap) -> None:
    x, lay = cap
    y = record(x)
    b0, b1 = lay.validation[1]
    y[b0 + LATENCY : b1 + LATENCY] += 0.05 * np.random.default_rng(2).standard_normal(b1 - b0).astype(np.float32)
    rep = _prep(tmp_path, input_wav, y)
    assert rep.validation_esr > 0.01
    assert any("validation segment differ" in w for w in rep.warnings)


def test_clock_drift_warned(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    y = record(x)
    n_end = x.size - int(2.0 * RATE)  # the last 2 s (the end blips) arrive 3 samples late
    y = np.concatenate([y[: n_end + LATENCY], np.zeros(3, np.float32), y[n_end + LATENCY :]])
    rep = _prep(tmp_path, input_wav, y)
    assert rep.drift_samples == 3 and any("clock drift" in w for w in rep.warnings)


def test_bad_files_name_the_file(tmp_path, input_wav, cap) -> None:
    x, _ = cap
    good = write_wav(tmp_path / "good.wav", record(x), RATE)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF not really a wave file")
    empty = tmp_path / "empty.wav"
    sf.write(str(empty), np.zeros(0, np.float32), RATE, subtype="FLOAT")
    nan = tmp_path / "nan.wav"
    bad = record(x)
    bad[1000] = np.nan
    sf.write(str(nan), bad, RATE, subtype="FLOAT")
    for f in (junk, empty, nan):
        with pytest.raises(AudioFileError, match=f.name):
            prepare_capture(input_wav, f, tmp_path / "o")
        with pytest.raises(AudioFileError, match=f.name):
            prepare_capture(f, good, tmp_path / "o")
    with pytest.raises(AudioFileError, match="missing.wav"):
        prepare_capture(tmp_path / "missing.wav", good, tmp_path / "o")
    (tmp_path / "o").mkdir(exist_ok=True)
    own = write_wav(tmp_path / "o" / "target.wav", record(x), RATE)
    with pytest.raises(CaptureError, match="overwritten"):
        prepare_capture(input_wav, own, tmp_path / "o")
    with pytest.raises(CaptureError, match="capture.json"):
        load_capture(tmp_path / "nothing_here")


def test_cli_signal_and_capture(tmp_path, capsys) -> None:
    out = tmp_path / "cap.wav"
    assert main(["signal", "capture", str(out), "--rate", "44100", "--duration", "20", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["rate"] == 44100 and res["samples"] == 20 * 44100
    side = json.loads(out.with_suffix(".json").read_text())
    assert side["layout"]["duration_s"] == 20.0
    x, rate = sf.read(str(out), dtype="float32")
    assert rate == 44100 and x.size == 20 * 44100
    tgt = write_wav(tmp_path / "amp.wav", record(x, latency=211, tail=100), rate)
    assert main(["capture", "prepare", str(out), str(tgt), "--out", str(tmp_path / "prep"), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["latency_samples"] == 211 and rep["alignment"] == "blips" and rep["rate"] == 44100
    assert main(["capture", "prepare", str(out), str(tgt), "--out", str(tmp_path / "prep")]) == 0
    text = capsys.readouterr().out
    assert "latency    211 samples" in text and "splits" in text
    # Errors: message naming the file, exit code 2, no traceback.
    assert main(["capture", "prepare", str(out), str(tmp_path / "nope.wav"), "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "nope.wav" in err and "Traceback" not in err
    assert main(["signal", "guitar", str(tmp_path / "g.wav"), "--duration", "2", "--style", "bass", "--json"]) == 0
    g = json.loads(capsys.readouterr().out)
    assert g["peak_dbfs"] == pytest.approx(-4.0, abs=0.05)
    assert main(["signal", "capture", str(out), "--duration", "5"]) == 2
    assert "too short" in capsys.readouterr().err


def test_cli_signal_tones_index(tmp_path, capsys) -> None:
    assert main(["signal", "tones", str(tmp_path / "t"), "--rate", "16000", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    index = json.loads((tmp_path / "t" / "tones.json").read_text())["tones"]
    wav, rate = sf.read(str(tmp_path / "t" / "tones.wav"), dtype="float32")
    assert rate == 16000 and len(index) == res["tones"] > 0
    assert index[-1]["end"] == wav.size and index[1]["start"] == index[0]["end"]
    one = index[len(index) // 2]
    seg = wav[one["start"] : one["end"]]
    assert 20 * np.log10(np.max(np.abs(seg))) == pytest.approx(one["level_db"], abs=0.1)
