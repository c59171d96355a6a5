"""Model bundles: round trip, verification, malformed manifests, forward compatibility, `edgefx info`."""

from __future__ import annotations

import json

import pytest
import torch

from edgefx.bundle import MANIFEST, SCHEMA_VERSION, Bundle
from edgefx.cli import main
from edgefx.errors import BundleError
from edgefx.models import model_from_args


@pytest.fixture
def bundle(tmp_path):
    torch.manual_seed(0)
    model = model_from_args("lstm", hidden=6)
    b = Bundle.create(tmp_path / "b", model, 48000, name="unit", training={"seed": 1}, metrics={"test": {"esr": 0.5}})
    b.add_file("report.md", "# unit\n", kind="report")
    return b, model


def _manifest(b: Bundle) -> dict:
    return json.loads((b.path / MANIFEST).read_text())


def _write_manifest(b: Bundle, m) -> None:
    (b.path / MANIFEST).write_text(m if isinstance(m, str) else json.dumps(m))


def test_round_trip_identical_outputs(bundle):
    b, model = bundle
    loaded = Bundle.load(b.path)
    assert loaded.name == "unit" and loaded.sample_rate == 48000 and loaded.arch == "lstm"
    assert loaded.manifest["training"] == {"seed": 1}
    assert loaded.manifest["metrics"]["test"]["esr"] == 0.5
    x = torch.randn(1, 2000)
    assert torch.equal(loaded.load_model().process(x), model.process(x))
    m = loaded.manifest["model"]
    assert m["params"] == model.num_params and m["macs_per_sample"] == model.macs_per_sample()


def test_tcn_round_trip(tmp_path):
    torch.manual_seed(0)
    model = model_from_args("tcn", preset="nano", gated=True)
    Bundle.create(tmp_path / "t", model, 44100)
    x = torch.randn(1, 500)
    assert torch.equal(Bundle.load(tmp_path / "t").load_model().process(x), model.process(x))


def test_verify_detects_modified_and_missing_files(bundle):
    b, _ = bundle
    (b.path / "report.md").write_text("tampered\n")
    with pytest.raises(BundleError, match=r"report\.md does not match"):
        Bundle.load(b.path)
    Bundle.load(b.path, verify=False)  # still readable when asked not to verify
    (b.path / "report.md").unlink()
    with pytest.raises(BundleError, match=r"report\.md is missing"):
        Bundle.load(b.path)
    (b.path / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(BundleError, match="model.safetensors"):
        Bundle.load(b.path)


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (lambda m: "{ not json", "not valid JSON"),
        (lambda m: [1, 2], "not an edgefx bundle"),
        (lambda m: {**m, "schema": "something-else"}, "not an edgefx bundle"),
        (lambda m: {**m, "schema_version": SCHEMA_VERSION + 1}, "newer"),
        (lambda m: {**m, "schema_version": "1"}, "schema_version"),
        (lambda m: {k: v for k, v in m.items() if k != "model"}, "'model'"),
    ],
)
def test_corrupted_manifest(bundle, mutate, needle):
    b, _ = bundle
    _write_manifest(b, mutate(_manifest(b)))
    with pytest.raises(BundleError, match=needle):
        Bundle.load(b.path)


def test_missing_bundle_and_manifest(tmp_path):
    with pytest.raises(BundleError, match="no such bundle"):
        Bundle.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BundleError, match="no manifest.json"):
        Bundle.load(tmp_path / "empty")


def test_weights_not_matching_config(bundle):
    b, _ = bundle
    m = _manifest(b)
    m["model"]["config"]["hidden"] = 7  # weights are for hidden 6
    _write_manifest(b, m)
    with pytest.raises(BundleError, match="do not fit"):
        Bundle.load(b.path).load_model()
    m["model"]["config"] = {"arch": "nope"}
    _write_manifest(b, m)
    with pytest.raises(BundleError, match="nope"):
        Bundle.load(b.path).load_model()


def test_unknown_sections_are_preserved(bundle):
    b, _ = bundle
    m = _manifest(b)
    m["future_stage"] = {"anything": [1, 2, 3]}
    m["model"]["future_field"] = "kept"
    _write_manifest(b, m)
    loaded = Bundle.load(b.path)
    loaded.update("metrics", {"extra": 1})
    loaded.add_file("notes.txt", "hello\n", kind="note")
    again = _manifest(loaded)
    assert again["future_stage"] == {"anything": [1, 2, 3]}
    assert again["model"]["future_field"] == "kept"
    assert again["metrics"] == {"test": {"esr": 0.5}, "extra": 1}
    Bundle.load(b.path)  # still verifies


def test_create_refuses_to_clobber(bundle, tmp_path):
    b, model = bundle
    with pytest.raises(BundleError, match="--force"):
        Bundle.create(b.path, model, 48000)
    Bundle.create(b.path, model, 48000, overwrite=True)
    other = tmp_path / "not-a-bundle"
    other.mkdir()
    (other / "precious.txt").write_text("keep me")
    with pytest.raises(BundleError, match="not a bundle"):
        Bundle.create(other, model, 48000, overwrite=True)
    assert (other / "precious.txt").read_text() == "keep me"


def test_info_human_and_json(bundle, capsys):
    b, model = bundle
    assert main(["info", str(b.path)]) == 0
    text = capsys.readouterr().out
    assert "bundle      unit" in text and "lstm" in text and f"params {model.num_params}" in text
    assert "48000 Hz" in text
    assert main(["info", str(b.path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "unit" and data["model"]["config"]["hidden"] == 6


def test_info_errors_without_traceback(bundle, capsys):
    b, _ = bundle
    (b.path / "report.md").write_text("tampered\n")
    assert main(["info", str(b.path)]) != 0
    err = capsys.readouterr().err
    assert "report.md" in err and "Traceback" not in err
    assert main(["info", str(b.path), "--no-verify"]) == 0
