"""Anti-aliasing fine-tuning (edgefx.antialias.finetune): it works, resumes exactly, records itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from edgefx.antialias.evaluate import evaluate_aliasing
from edgefx.antialias.filters import lowpass_preemphasis
from edgefx.antialias.finetune import (
    SpikeClipper,
    antialias_loss,
    checkpoint_path,
    finetune,
    finetune_bundle,
    get_recipe,
)
from edgefx.bundle import Bundle
from edgefx.errors import ConfigError
from edgefx.models import RecurrentModel, StreamingModel, TCNModel

torch.set_num_threads(1)
RATE = 44100
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "models" / "dafx25"
EVAL = {"midi": range(40, 110, 9), "levels": (-6.0,)}  # 8 notes at -6 dBFS: the reduced set


def aliasing_lstm(hidden: int = 8, cell: str = "lstm") -> RecurrentModel:
    """A random LSTM whose input weights are scaled up so it clips hard (and aliases) at -6 dBFS."""
    torch.manual_seed(0)
    m = RecurrentModel(cell, hidden)
    with torch.no_grad():
        m.rnn.weight_ih_l0.mul_(100.0)
        m.head.weight.mul_(3.0)
    return m.eval()


def small_tcn() -> TCNModel:
    layers = [{"input_size": 1, "channels": 3, "head_size": 1, "kernel_size": 3, "dilations": [1, 2, 4],
               "gated": False, "head_bias": True}]
    torch.manual_seed(1)
    m = TCNModel(layers, head_scale=1.0)
    with torch.no_grad():
        for layer in m.arrays[0].layers:
            layer.mixin.weight.mul_(20.0)
    return m.eval()


def test_short_finetune_lowers_nmr_s():
    teacher = aliasing_lstm()
    before = evaluate_aliasing(teacher, RATE, **EVAL)["summary"]["nmr_s_db_mean"]
    res = finetune(teacher, RATE, get_recipe("default", steps=30, batch=4, lr=2e-2), progress=False)
    after = evaluate_aliasing(res.student, RATE, teacher=teacher, **EVAL)["summary"]
    assert res.steps == 30
    assert after["nmr_s_db_mean"] < before - 2.0, (before, after["nmr_s_db_mean"])
    # the teacher is untouched
    assert torch.equal(teacher.rnn.weight_ih_l0, aliasing_lstm().rnn.weight_ih_l0)


def test_progress_into_a_log_is_not_redrawn_every_step(capsys):
    """With stderr not a terminal (nohup, CI), the bar is drawn at its start and end, not once per batch."""
    finetune(aliasing_lstm(hidden=4), RATE, get_recipe("default", steps=30, batch=2, lr=1e-2))
    draws = [d for d in capsys.readouterr().err.split("\r") if "anti-alias fine-tune" in d]
    assert 1 <= len(draws) <= 3, draws
    assert "30/30" in draws[-1] and "nmr_db=" in draws[-1]


def test_resume_equals_uninterrupted(tmp_path):
    teacher = aliasing_lstm(hidden=4)
    recipe = get_recipe("default", steps=20, batch=2, lr=1e-2)
    full = finetune(teacher, RATE, recipe, seed=3, progress=False)
    ckpt = tmp_path / "ck.pt"
    finetune(teacher, RATE, get_recipe("default", steps=10, batch=2, lr=1e-2), seed=3, checkpoint=ckpt,
             progress=False)
    assert ckpt.is_file()
    assert torch.load(ckpt, weights_only=True)["batches"] == 1
    resumed = finetune(teacher, RATE, recipe, seed=3, checkpoint=ckpt, resume=True, progress=False)
    assert resumed.resumed_from == 10 and resumed.steps == 20
    for (k, a), b in zip(full.student.state_dict().items(), resumed.student.state_dict().values(), strict=True):
        assert torch.equal(a, b), k
    assert full.history["loss"] == pytest.approx(resumed.history["loss"], rel=0, abs=0)
    # a checkpoint from another seed is refused rather than silently mixed in
    with pytest.raises(ConfigError, match="different recipe or seed"):
        finetune(teacher, RATE, recipe, seed=4, checkpoint=ckpt, resume=True, progress=False)


def test_tcn_path_trains():
    # (GRUs share the recurrent path with LSTMs; torch's CPU GRU is ~20x slower than its LSTM, so
    # it is left out here to keep the suite fast.)
    for model in (small_tcn(),):
        res = finetune(model, RATE, get_recipe("default", steps=2, batch=2, lr=1e-2), progress=False)
        changed = any(not torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                              res.student.state_dict().values(), strict=True))
        assert changed and all(torch.isfinite(torch.tensor(res.history["loss"])))


def test_lambda_defaults_by_architecture_and_can_be_set():
    assert get_recipe("default").resolved(aliasing_lstm()).w_nmr == 0.5
    assert get_recipe("default").resolved(small_tcn()).w_nmr == 0.1
    assert get_recipe("default", w_nmr=0.3).resolved(small_tcn()).w_nmr == 0.3


def test_loss_is_zero_on_target_and_weighted():
    pre = lowpass_preemphasis(RATE)
    t = torch.randn(2, 4410, dtype=torch.float64)
    with pytest.raises(ConfigError, match="resolved recipe"):
        antialias_loss(t, t, RATE, pre, get_recipe("default"))
    r = get_recipe("default").resolved(aliasing_lstm())
    assert r.w_nmr == 0.5  # the paper's λ for recurrent models
    loss, parts = antialias_loss(t.clone(), t, RATE, pre, r)
    assert parts["esr"] == 0 and parts["dc"] == 0 and parts["nmr"] < 1e-6
    noisy = t + 0.1 * torch.randn_like(t)
    l1, p1 = antialias_loss(noisy, t, RATE, pre, r)
    l2, _ = antialias_loss(noisy, t, RATE, pre, get_recipe("default", w_nmr=0.0))
    assert float(l1) == pytest.approx(0.5 * p1["esr"] + 0.5 * p1["nmr"] + 1.0 * p1["dc"])
    assert float(l2) == pytest.approx(0.5 * p1["esr"] + 1.0 * p1["dc"])


def test_nmr_mean_arithmetic_weighs_the_worst_tone():
    """The NMR term is the geometric mean of the per-tone NMRs by default and their arithmetic mean
    with nmr_mean="arithmetic"; with one tone far noisier than the other, the arithmetic mean follows it."""
    from edgefx.antialias.nmr import nmr

    pre = lowpass_preemphasis(RATE)
    torch.manual_seed(0)
    t = torch.randn(2, 4410, dtype=torch.float64)
    noisy = t + torch.tensor([[1e-3], [0.3]], dtype=torch.float64) * torch.randn_like(t)
    per_tone = nmr(pre(noisy), pre(t), RATE)
    geo = get_recipe("default").resolved(aliasing_lstm())
    ari = get_recipe("default", nmr_mean="arithmetic").resolved(aliasing_lstm())
    _, pg = antialias_loss(noisy, t, RATE, pre, geo)
    _, pa = antialias_loss(noisy, t, RATE, pre, ari)
    assert pg["nmr"] == pytest.approx(float(torch.sqrt(per_tone[0] * per_tone[1])))
    assert pa["nmr"] == pytest.approx(float(per_tone.mean()))
    assert pa["nmr"] > 10 * pg["nmr"]  # the two tones' NMRs lie orders of magnitude apart
    with pytest.raises(ConfigError, match="nmr_mean 'median'"):
        get_recipe("default", nmr_mean="median").resolved(aliasing_lstm())


def test_amp_db_range_is_validated_and_parsed():
    from edgefx.commands.antialias import parse_amp_db

    assert get_recipe("default", amp_db_range=(-40, 0)).resolved(aliasing_lstm()).amp_db_range == (-40.0, 0.0)
    assert get_recipe("default", amp_db_range=(-40, 0)).to_dict()["amp_db_range"] == [-40, 0]
    with pytest.raises(ConfigError, match="amp_db_range"):
        get_recipe("default", amp_db_range=(0.0, -40.0)).resolved(aliasing_lstm())
    assert parse_amp_db("-40,0") == (-40.0, 0.0) and parse_amp_db(None) is None
    for bad, why in (("-40", "two dBFS values"), ("a,b", "two dBFS values"), ("-10,6", "HI <= 0")):
        with pytest.raises(ConfigError, match=why):
            parse_amp_db(bad)


def test_checkpoint_from_before_nmr_mean_resumes(tmp_path):
    """A checkpoint written before the recipe had nmr_mean and amp_db_range was made with the
    geometric mean and A ~ U(0, 1): it resumes under the default recipe, and is refused under the
    arithmetic one."""
    teacher = aliasing_lstm(hidden=4)
    ckpt = tmp_path / "ck.pt"
    finetune(teacher, RATE, get_recipe("default", steps=10, batch=2, lr=1e-2), seed=3, checkpoint=ckpt,
             progress=False)
    state = torch.load(ckpt, weights_only=True)
    del state["recipe"]["nmr_mean"], state["recipe"]["amp_db_range"]
    torch.save(state, ckpt)
    with pytest.raises(ConfigError, match="different recipe or seed"):
        finetune(teacher, RATE, get_recipe("default", steps=20, batch=2, lr=1e-2, nmr_mean="arithmetic"),
                 seed=3, checkpoint=ckpt, resume=True, progress=False)
    resumed = finetune(teacher, RATE, get_recipe("default", steps=20, batch=2, lr=1e-2), seed=3, checkpoint=ckpt,
                       resume=True, progress=False)
    assert resumed.resumed_from == 10 and resumed.steps == 20


def test_finetune_bundle_records_manifest(tmp_path):
    teacher = aliasing_lstm(hidden=4)
    src = Bundle.create(tmp_path / "teach", teacher, RATE, training={"pedal": "fuzz", "epochs": 3})
    out = tmp_path / "teach-aa"
    new = finetune_bundle(src, out, steps=10, lam=0.7, w_dc=0.5, seed=1, progress=False,
                          eval_midi=[60, 90], eval_levels=[-6.0])
    m = json.loads((out / "manifest.json").read_text())
    aa = m["antialias"]
    assert aa["teacher"]["name"] == "teach"
    assert aa["teacher"]["weights_sha256"] == src.manifest["files"]["model.safetensors"]["sha256"]
    assert aa["loss_weights"] == {"esr": 0.5, "nmr": 0.7, "dc": 0.5}
    assert aa["recipe"]["name"] == "default" and aa["steps"] == 10 and aa["seed"] == 1
    assert aa["wall_time_s"] > 0 and aa["eval_set"]["tones"] == 2
    assert aa["teacher_training"] == {"pedal": "fuzz", "epochs": 3}
    for key in ("nmr_s_db_mean", "nmr_s_mean_db", "esr_s_db_mean", "esr_t_db_mean", "nmr_t_mean_db",
                "hesr_t_db_mean"):
        assert key in aa["after"] and key in aa["before"]
    assert not checkpoint_path(out).exists()  # removed after success
    Bundle.load(out).load_model()  # verifies hashes and loads
    assert new.manifest["training"]["stage"] == "antialias"


def test_unsupported_architecture_is_a_config_error(tmp_path):
    class Other(StreamingModel):
        arch = "other"

    with pytest.raises(ConfigError, match="LSTM, GRU and TCN"):
        finetune(Other(), RATE, progress=False)
    b = Bundle.create(tmp_path / "b", aliasing_lstm(hidden=2), RATE)
    b.manifest["model"]["config"]["arch"] = "transformer"
    b.save()
    with pytest.raises(ConfigError, match="transformer"):
        finetune_bundle(Bundle.load(b.path), tmp_path / "out", steps=10, progress=False)


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/models/dafx25 beside the repo")
def test_real_teacher_aliases_at_high_notes():
    from edgefx.models.loaders import load_guitarml_json

    m = load_guitarml_json(SHARED / "broadcast_lstm_teacher.json")
    res = evaluate_aliasing(m, RATE, midi=[45, 100], levels=(-6.0,))
    low, high = res["per_tone"]["nmr_s_db"]
    assert high > low + 10  # aliasing grows with f0 (paper Fig. 4)


def _grads(*values: float) -> list[torch.Tensor]:
    ps = []
    for v in values:
        p = torch.zeros(2, requires_grad=True)
        p.grad = torch.tensor([v, 0.0])
        ps.append(p)
    return ps


def test_spike_clipper_scales_only_spikes_to_the_limit():
    clip = SpikeClipper(3.0, window=10, warmup=4)
    for v in (1.0, 3.0, 2.0, 100.0):  # warm-up: collected, never clipped
        ps = _grads(v)
        assert clip(ps) == pytest.approx(v)
        assert float(ps[0].grad[0]) == v
    # median of [1, 3, 2, 100] is 3 (upper middle) -> limit 9
    ps = _grads(3.0, 4.0)  # norm 5: below the limit, untouched
    assert clip(ps) == pytest.approx(5.0)
    assert [float(p.grad[0]) for p in ps] == [3.0, 4.0]
    ps = _grads(30.0, 40.0)  # norm 50 > 3 x median(1, 2, 3, 5, 100) = 9: scaled to norm 9, direction kept
    assert clip(ps) == pytest.approx(50.0)
    assert [float(p.grad[0]) for p in ps] == pytest.approx([9 * 0.6, 9 * 0.8])
    assert clip.clipped == 1
    assert clip.norms[-1] == pytest.approx(50.0)  # recorded unclipped


def test_spike_clipper_state_round_trips_and_factor_zero_is_off():
    a = SpikeClipper(3.0, window=5, warmup=2)
    for v in (1.0, 1.0, 1.0, 50.0):
        a(_grads(v))
    b = SpikeClipper(3.0, window=5, warmup=2)
    b.load(a.state())
    assert b.norms == a.norms and b.clipped == a.clipped == 1
    off = SpikeClipper(0.0, warmup=0)
    ps = _grads(1e6)
    off(ps)
    assert float(ps[0].grad[0]) == 1e6 and off.clipped == 0


@pytest.mark.parametrize("bad", [-1.0, 0.5])
def test_clip_factor_is_validated(bad):
    with pytest.raises(ConfigError, match="clip_factor"):
        get_recipe("default", clip_factor=bad).resolved(aliasing_lstm())


def test_cosine_schedule_decays_from_lr_to_zero_and_constant_stays():
    from edgefx.antialias.finetune import scheduled_lr

    cos = get_recipe("default", lr=1e-3, lr_schedule="cosine")
    lrs = [scheduled_lr(cos, b, 100) for b in range(100)]
    assert lrs[0] == pytest.approx(1e-3) and lrs[50] == pytest.approx(5e-4)
    assert all(a > b for a, b in zip(lrs[:-1], lrs[1:], strict=True)) and 0 < lrs[-1] < 1e-5
    const = get_recipe("default", lr=1e-3)
    assert {scheduled_lr(const, b, 100) for b in (0, 50, 99)} == {1e-3}


def test_unknown_lr_schedule_is_a_config_error():
    with pytest.raises(ConfigError, match="lr_schedule 'linear'"):
        get_recipe("default", lr_schedule="linear").resolved(aliasing_lstm())


def test_cosine_schedule_is_what_the_optimiser_used(tmp_path):
    """The checkpointed optimiser carries the last batch's scheduled rate (and a run differs from
    the constant-rate one)."""
    from edgefx.antialias.finetune import scheduled_lr

    teacher = aliasing_lstm(hidden=4)
    recipe = get_recipe("default", steps=30, batch=2, lr=1e-2, lr_schedule="cosine")
    ckpt = tmp_path / "ck.pt"
    cos = finetune(teacher, RATE, recipe, seed=3, checkpoint=ckpt, progress=False)
    state = torch.load(ckpt, weights_only=True)
    assert state["optimizer"]["param_groups"][0]["lr"] == pytest.approx(scheduled_lr(recipe, 2, 3))
    const = finetune(teacher, RATE, get_recipe("default", steps=30, batch=2, lr=1e-2), seed=3, progress=False)
    assert cos.history["loss"][0] == const.history["loss"][0] and cos.history["loss"] != const.history["loss"]
