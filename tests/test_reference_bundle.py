"""The shipped reference bundle (export/overdrive-lstm16): the embedded default and the golden
files of code generation.

If a change to the generator or the kernels alters the generated C, the golden comparison fails:
regenerate the bundle's C on purpose (`edgefx export export/overdrive-lstm16 --format c,onnx,tflite`)
and commit it with the change that caused it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edgefx.bundle import Bundle
from edgefx.codegen import generate_for_bundle
from edgefx.engines import open_engine, run_blocks
from edgefx.signals.guitar import guitar_phrase

REFERENCE = Path(__file__).resolve().parents[1] / "export" / "overdrive-lstm16"


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return Bundle.load(REFERENCE)  # verifies every recorded file's hash


def test_reference_bundle_is_complete(bundle: Bundle) -> None:
    m = bundle.manifest
    assert m["model"]["config"] == {"arch": "lstm", "hidden": 16, "skip": True}
    assert m["sample_rate"] == 48000
    assert m["metrics"]["test"]["esr"] <= 0.01  # the foundation issue's LSTM-16 goal
    assert set(m["artifacts"]) >= {"c", "onnx", "tflite"}
    kinds = {info["kind"] for info in m["files"].values()}
    assert {"weights", "c", "onnx", "tflite"} <= kinds


def test_generated_c_matches_golden_files(bundle: Bundle, tmp_path: Path) -> None:
    gen = generate_for_bundle(bundle, tmp_path / "c")
    recorded = [rel.removeprefix("c/") for rel in bundle.manifest["artifacts"]["c"]["files"]]
    assert sorted(gen.files) == sorted(recorded)
    changed = [f for f in recorded if (tmp_path / "c" / f).read_bytes() != (bundle.path / "c" / f).read_bytes()]
    assert not changed, f"generated C differs from the shipped golden files: {changed}"


@pytest.mark.parametrize("engine", ["c", "c-fast", "onnx", "tflite"])
def test_every_engine_matches_torch_on_the_reference(bundle: Bundle, engine: str) -> None:
    x = guitar_phrase(2.0, 48000, seed=3)
    ref = run_blocks(open_engine("torch", bundle), x, None)
    y = run_blocks(open_engine(engine, bundle), x, 48)
    assert y.shape == ref.shape
    if engine == "c-fast":  # fast activations: bounded by ESR, not by sample error
        assert float(np.sum((y - ref) ** 2) / np.sum(ref**2)) <= 1e-6
    else:
        assert float(np.max(np.abs(y - ref))) <= 1e-5
