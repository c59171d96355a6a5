"""Training: losses on hand examples, data loading errors, and tiny seeded/resumable runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from edgefx.audio import write_wav
from edgefx.errors import AudioFileError, CaptureError, ConfigError
from edgefx.train import (
    TrainingData,
    TrainingLoss,
    dc_loss,
    esr,
    first_order_highpass,
    fit,
    get_recipe,
    load_training_data,
    signal_metrics,
    time_splits,
)
from edgefx.train.checkpoint import load_checkpoint

RATE = 16000  # small rate: the loop is the same, the tests are 3x cheaper


def toy_pair(seconds: float = 3.0, rate: int = RATE, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Decaying 'notes' through a soft clipper with a one-pole low-pass (a drive pedal in miniature)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    x = np.zeros(n)
    t = np.arange(n) / rate
    for start in np.arange(0, seconds, 0.25):
        f = 110 * 2 ** (rng.integers(0, 24) / 12)
        env = np.where(t >= start, np.exp(-(t - start) * 6), 0.0)
        x += rng.uniform(0.1, 0.5) * env * np.sin(2 * np.pi * f * (t - start))
    x = np.clip(x, -1, 1)
    y = np.tanh(3 * x) * 0.5
    out = np.empty_like(y)
    acc = 0.0
    for i, v in enumerate(y):  # one-pole low-pass: memory the model must learn
        acc = 0.7 * v + 0.3 * acc
        out[i] = acc
    return x.astype(np.float32), out.astype(np.float32)


def toy_data(seconds: float = 3.0) -> TrainingData:
    x, y = toy_pair(seconds)
    return TrainingData(x, y, RATE, time_splits(len(x)), {"kind": "toy", "x_sha256": "a", "y_sha256": "b"})


TINY = dict(segment_s=0.25, warmup=200, frame=640, batch_size=8, val_max_s=0.3, max_minutes=None,
            tcn_segment=1024, tcn_batch_size=4, tcn_steps=6, patience=5)


def tiny_recipe(**kw):
    return get_recipe("default", **{**TINY, **kw})


def weights(model) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items()}


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# --- losses ------------------------------------------------------------------------------------
def test_esr_hand_examples():
    y = torch.tensor([1.0, -2.0, 3.0, 0.5])
    assert float(esr(0.5 * y, y)) == pytest.approx(0.25, rel=1e-6)
    assert float(esr(y, y)) == 0.0
    assert float(esr(torch.zeros(4), y)) == pytest.approx(1.0, rel=1e-6)


def test_dc_term_and_highpass():
    t = torch.linspace(0, 1, 4800 + 1)[:-1]
    y = torch.sin(2 * np.pi * 10 * t)[None]  # zero mean, mean square 0.5
    assert float(dc_loss(y + 0.1, y)) == pytest.approx(0.01 / 0.5, rel=1e-3)
    assert float(dc_loss(y, y)) == 0.0
    hp = first_order_highpass(torch.tensor([1.0, 1.0, 1.0, 0.0]))
    assert torch.allclose(hp, torch.tensor([0.15, 0.15, -0.85]))


def test_training_loss_combines_terms():
    y = torch.randn(2, 1000)
    pred = 0.5 * y + 0.05
    plain, parts = TrainingLoss(preemphasis="none")(pred, y)
    assert float(plain) == pytest.approx(parts["esr"] + parts["dc"], rel=1e-6)
    assert parts["esr"] == pytest.approx(float(esr(pred, y)), rel=1e-6)
    hp, parts_hp = TrainingLoss(preemphasis="hp")(pred, y)
    assert parts_hp["esr"] == pytest.approx(float(esr(first_order_highpass(pred), first_order_highpass(y))), rel=1e-6)
    aw, _ = TrainingLoss(preemphasis="aw", rate=RATE)(pred, y)
    assert torch.isfinite(aw)
    with pytest.raises(ConfigError, match="pre-emphasis"):
        TrainingLoss(preemphasis="bogus")


def test_signal_metrics():
    y = np.sin(np.linspace(0, 200, 8000)).astype(np.float32)
    m = signal_metrics(0.5 * y, y, 8000)
    assert m["esr"] == pytest.approx(0.25, rel=1e-6)
    assert m["esr_db"] == pytest.approx(10 * np.log10(0.25), rel=1e-6)
    assert m["peak_error"] == pytest.approx(0.5 * np.abs(y).max(), rel=1e-6)
    assert m["duration_s"] == 1.0
    assert {"dc", "mrstft", "esr_preemph"} <= set(m)


# --- data --------------------------------------------------------------------------------------
def test_wav_pair_loads_with_time_splits(tmp_path):
    x, y = toy_pair(1.0)
    write_wav(tmp_path / "in.wav", x, RATE)
    write_wav(tmp_path / "out.wav", y, RATE)
    d = load_training_data(input=tmp_path / "in.wav", target=tmp_path / "out.wav")
    assert d.rate == RATE and d.splits["train"] == [(0, 12800)] and d.splits["test"] == [(14400, 16000)]
    assert d.source["kind"] == "wav" and len(d.source["x_sha256"]) == 64


def test_wav_pair_mismatches_are_clear(tmp_path):
    x, y = toy_pair(1.0)
    write_wav(tmp_path / "in.wav", x, RATE)
    write_wav(tmp_path / "other_rate.wav", y, 22050)
    write_wav(tmp_path / "short.wav", y[:-10], RATE)
    with pytest.raises(AudioFileError, match=r"16000 Hz.*22050 Hz"):
        load_training_data(input=tmp_path / "in.wav", target=tmp_path / "other_rate.wav")
    with pytest.raises(CaptureError, match=r"16000 samples.*15990"):
        load_training_data(input=tmp_path / "in.wav", target=tmp_path / "short.wav")
    with pytest.raises(AudioFileError, match="no such file"):
        load_training_data(input=tmp_path / "in.wav", target=tmp_path / "missing.wav")
    with pytest.raises(AudioFileError, match="expected 48000 Hz"):
        load_training_data(input=tmp_path / "in.wav", target=tmp_path / "in.wav", rate=48000)


def test_exactly_one_source():
    with pytest.raises(ConfigError, match="exactly one"):
        load_training_data()
    with pytest.raises(ConfigError, match="exactly one"):
        load_training_data(pedal="overdrive", capture="somewhere")
    with pytest.raises(ConfigError, match="target"):
        load_training_data(input="a.wav")


def test_unknown_pedal_and_knob():
    with pytest.raises(ConfigError, match="nosuchpedal"):
        load_training_data(pedal="nosuchpedal")
    with pytest.raises(ConfigError, match="wobble"):
        load_training_data(pedal="overdrive", knobs={"wobble": 0.5})


def test_recipe_errors():
    with pytest.raises(ConfigError, match="recipe"):
        get_recipe("turbo")
    with pytest.raises(ConfigError, match="epochs"):
        get_recipe("default", epochs=0)
    assert get_recipe("paper").epochs > get_recipe("default").epochs


# --- training runs ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data() -> TrainingData:
    return toy_data(2.0)


@pytest.fixture(scope="module")
def reference_run(data):
    return fit({"arch": "lstm", "hidden": 4}, data, tiny_recipe(epochs=2), seed=3, show_progress=False)


def test_tiny_lstm_run_improves(reference_run):
    r = reference_run
    assert r.epochs_run == 2 and len(r.history) == 2
    assert r.best_val_esr < r.initial_val_esr
    assert all(np.isfinite(h["train_loss"]) for h in r.history)


def test_same_seed_same_weights(data, reference_run):
    again = fit({"arch": "lstm", "hidden": 4}, data, tiny_recipe(epochs=2), seed=3, show_progress=False)
    assert same_weights(weights(again.model), weights(reference_run.model))
    assert again.history[-1]["val_esr"] == reference_run.history[-1]["val_esr"]


def test_resume_matches_uninterrupted(data, reference_run, tmp_path):
    ckpt = tmp_path / "run.ckpt" / "checkpoint.pt"

    def interrupt(epoch, record):
        if epoch == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit({"arch": "lstm", "hidden": 4}, data, tiny_recipe(epochs=2), seed=3, checkpoint=ckpt,
            show_progress=False, on_epoch_end=interrupt)
    saved = load_checkpoint(ckpt)  # loads with weights_only=True
    assert saved["epoch"] == 1
    with pytest.raises(ConfigError, match="seed"):
        fit({"arch": "lstm", "hidden": 4}, data, tiny_recipe(epochs=2), seed=4, checkpoint=ckpt, resume=True,
            show_progress=False)
    resumed = fit({"arch": "lstm", "hidden": 4}, data, tiny_recipe(epochs=2), seed=3, checkpoint=ckpt, resume=True,
                  show_progress=False)
    assert resumed.resumed_from == 1 and resumed.epochs_run == 2
    assert same_weights(weights(resumed.model), weights(reference_run.model))
    assert [h["val_esr"] for h in resumed.history] == [h["val_esr"] for h in reference_run.history]


def test_resume_without_checkpoint_is_clear(data, tmp_path):
    with pytest.raises(ConfigError, match="no checkpoint"):
        fit({"arch": "lstm", "hidden": 4}, data, tiny_recipe(epochs=1), checkpoint=tmp_path / "none.pt", resume=True,
            show_progress=False)


def test_corrupt_checkpoint_is_refused(data, tmp_path):
    bad = tmp_path / "checkpoint.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ConfigError, match="unreadable checkpoint"):
        fit({"arch": "lstm", "hidden": 4}, data, tiny_recipe(epochs=1), checkpoint=bad, resume=True,
            show_progress=False)


def test_tcn_run(data):
    cfg = {
        "arch": "tcn",
        "head_scale": 0.02,
        "layers": [
            {"input_size": 1, "channels": 3, "head_size": 2, "kernel_size": 3, "dilations": [1, 2, 4],
             "gated": False, "head_bias": False},
            {"input_size": 3, "channels": 2, "head_size": 1, "kernel_size": 3, "dilations": [1, 2],
             "gated": True, "head_bias": True},
        ],
    }
    r = fit(cfg, data, tiny_recipe(epochs=2, lr_tcn=1e-2), seed=0, show_progress=False)
    assert r.epochs_run == 2
    assert r.best_val_esr < r.initial_val_esr


def test_time_budget_stops(data):
    r = fit({"arch": "gru", "hidden": 3}, data, tiny_recipe(epochs=50, max_minutes=1e-4), show_progress=False)
    assert r.stop_reason == "time limit" and r.epochs_run == 1 and r.history[0].get("partial")
