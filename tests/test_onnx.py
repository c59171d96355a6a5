"""ONNX export: streaming graph with explicit state, checked against PyTorch block by block."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
import torch

from edgefx.audio import write_wav
from edgefx.bundle import Bundle
from edgefx.cli import main
from edgefx.engines import open_engine
from edgefx.errors import BundleError
from edgefx.interop import run_in_blocks, torch_reference
from edgefx.interop.onnx_export import OPSET, export_onnx
from edgefx.models import model_from_args

RATE = 48000
MODELS = {
    "lstm8": dict(arch="lstm", hidden=8),
    "lstm16": dict(arch="lstm", hidden=16),
    "gru8": dict(arch="gru", hidden=8),
    "tcn-nano": dict(arch="tcn", preset="nano"),
    "tcn-nano-gated": dict(arch="tcn", preset="nano", gated=True),
}


def _random_model(args: dict, seed: int = 0):
    torch.manual_seed(seed)
    model = model_from_args(**args)
    if model.arch == "tcn":
        # Default init with head_scale 0.02 gives a near-silent output; larger weights make the
        # comparison meaningful (and exercise tanh/sigmoid away from their linear region).
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(2.0)
    return model


def _audio(seconds: float, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    env = np.where((t % 0.5) < 0.3, 0.8, 0.05)  # loud / quiet passages: stresses the carried state
    return (env * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(n)).astype(np.float32)


def _random_blocks(n: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(int(min(rng.choice([1, 2, 3, 17, 48, 64, 129, 511, 1000]), n - sum(sizes))))
    return sizes


@pytest.fixture(scope="module", params=list(MODELS))
def exported(request, tmp_path_factory):
    model = _random_model(MODELS[request.param])
    bundle = Bundle.create(tmp_path_factory.mktemp(request.param) / "b", model, RATE)
    summary = export_onnx(bundle)
    return request.param, model, bundle, summary


def test_block_by_block_matches_torch_over_two_seconds(exported):
    name, model, bundle, _ = exported
    x = _audio(2.0)
    ref = torch_reference(model, x)
    engine = open_engine("onnx", Bundle.load(bundle.path), threads=1)
    y = run_in_blocks(engine.process, x, _random_blocks(len(x), seed=len(name)))
    assert y.shape == ref.shape
    assert np.max(np.abs(y - ref)) <= 1e-5, name
    # The model does something, so the comparison is not vacuous.
    assert np.std(ref) > 1e-3 and np.max(np.abs(ref - x)) > 1e-3


def test_manifest_records_state_names_and_shapes(exported):
    name, model, bundle, summary = exported
    info = Bundle.load(bundle.path).manifest["artifacts"]["onnx"]
    assert info["file"] == "onnx/model.onnx" and info["opset"] >= 17
    assert (bundle.path / info["file"]).is_file()
    expected = [list(s.shape) for s in model.initial_state(1)]
    assert [s["shape"] for s in info["state"]] == expected
    assert [s["name"] for s in info["state"]] == summary["states"]
    assert all(s["output"] == s["name"] + "_out" for s in info["state"])
    assert info["inputs"][0] == {"name": "x", "shape": [1, "T"]}
    assert info["max_abs_error"] <= 1e-5 and info["esr"] < 1e-9

    # The file itself declares the same interface.
    graph = onnx.load(str(bundle.path / info["file"])).graph
    assert [i.name for i in graph.input] == ["x"] + summary["states"]
    assert [o.name for o in graph.output] == ["y"] + [s + "_out" for s in summary["states"]]
    assert graph.input[0].type.tensor_type.shape.dim[1].dim_param == "T"


def test_engine_carries_state_and_reset_forgets_it(exported):
    _, _, bundle, _ = exported
    engine = open_engine("onnx", bundle)
    x = _audio(0.05)
    first = engine.process(x)
    carried = engine.process(x)
    engine.reset()
    again = engine.process(x)
    np.testing.assert_array_equal(again, first)
    assert np.max(np.abs(carried - first)) > 1e-6  # the second call started from a non-zero state
    assert engine.process(np.zeros(0, np.float32)).shape == (0,)


def test_export_merges_into_existing_artifacts(tmp_path):
    bundle = Bundle.create(tmp_path / "b", _random_model(MODELS["lstm8"]), RATE)
    bundle.update("artifacts", {"c": {"dir": "c/"}})
    export_onnx(bundle)
    export_onnx(bundle)  # re-export replaces, does not accumulate
    artifacts = Bundle.load(bundle.path).manifest["artifacts"]
    assert set(artifacts) == {"c", "onnx"} and artifacts["onnx"]["opset"] == OPSET
    assert [f for f in bundle.manifest["files"] if f.startswith("onnx/")] == ["onnx/model.onnx"]


def test_engine_without_export_says_how_to_make_it(tmp_path):
    bundle = Bundle.create(tmp_path / "b", _random_model(MODELS["gru8"]), RATE)
    with pytest.raises(BundleError, match="--format onnx"):
        open_engine("onnx", bundle)


def test_cli_export_and_run(tmp_path, capsys):
    model = _random_model(MODELS["lstm16"], seed=3)
    bundle = Bundle.create(tmp_path / "b", model, RATE)
    assert main(["export", str(bundle.path), "--format", "onnx", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["exports"]["onnx"]["file"] == "onnx/model.onnx"
    assert out["exports"]["onnx"]["max_abs_error"] <= 1e-5

    x = _audio(0.5)
    write_wav(tmp_path / "in.wav", x, RATE)
    args = ["run", str(bundle.path), str(tmp_path / "in.wav"), str(tmp_path / "out.wav"), "--engine", "onnx"]
    assert main(args + ["--block", "100", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["engine"] == "onnx"
    import soundfile as sf

    y, rate = sf.read(tmp_path / "out.wav", dtype="float32")
    assert rate == RATE
    assert np.max(np.abs(y - torch_reference(model, x))) <= 1e-5


def test_corrupted_onnx_file_is_a_bundle_error(tmp_path):
    bundle = Bundle.create(tmp_path / "b", _random_model(MODELS["lstm8"]), RATE)
    export_onnx(bundle)
    (bundle.path / "onnx/model.onnx").write_bytes(b"not an onnx model")
    with pytest.raises(BundleError, match="onnx/model.onnx"):
        Bundle.load(bundle.path)  # the manifest hash catches it first
    with pytest.raises(BundleError, match="onnxruntime cannot load it"):
        open_engine("onnx", Bundle.load(bundle.path, verify=False))
