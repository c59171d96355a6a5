"""export_c: files and manifest record, naming, regeneration, errors, CLI and the c engines."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from edgefx.audio import read_wav, write_wav
from edgefx.bundle import Bundle
from edgefx.cli import main
from edgefx.codegen import export_c, generate
from edgefx.codegen.activations import manifest_figures
from edgefx.codegen.build import build_shared
from edgefx.codegen.emit import c_float
from edgefx.codegen.naming import prefix_for, sanitize
from edgefx.codegen.samples import sample_model
from edgefx.engines import open_engine
from edgefx.errors import BundleError, CodegenError, ConfigError
from edgefx.models import StreamingModel
from edgefx.threads import torch_threads
from edgefx.toolchains import get_toolchain

pytestmark = pytest.mark.skipif(not get_toolchain("host").available(), reason="no host C compiler (gcc)")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An LSTM-8 bundle with its C exported (once for the module)."""
    path = tmp_path_factory.mktemp("b") / "Over-Drive 808!"
    bundle = Bundle.create(path, sample_model("lstm8", seed=2), 48000)
    record = export_c(bundle)
    return path, record


def test_identifiers_are_sanitised():
    assert prefix_for("overdrive-lstm16") == "edgefx_overdrive_lstm16"
    assert prefix_for("Over-Drive 808!") == "edgefx_over_drive_808"
    assert prefix_for("edgefx_fuzz") == "edgefx_fuzz"
    assert prefix_for("ÄÖ—") == "edgefx_model"
    assert len(prefix_for("x" * 200)) <= 48
    assert sanitize("3band") == "m_3band" and sanitize("static") == "m_static"


def test_float_literals_round_trip():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.standard_normal(2000) * 10.0 ** rng.integers(-40, 38, 2000), [0, -0.0, 1, -3, 1e-45]])
    for v in values.astype(np.float32):
        text = c_float(v)
        assert text.endswith("f") and np.float32(text[:-1]) == v
    with pytest.raises(CodegenError, match="non-finite"):
        c_float(float("nan"))


def test_export_records_manifest(exported):
    path, record = exported
    bundle = Bundle.load(path)  # every recorded file, c/ included, matches its hash
    c = bundle.manifest["artifacts"]["c"]
    assert c == json.loads(json.dumps(record))
    prefix = "edgefx_over_drive_808"
    assert c["prefix"] == prefix
    assert c["entry_points"] == {
        "state_type": f"{prefix}_state", "init": f"{prefix}_init", "reset": f"{prefix}_reset",
        "process": f"{prefix}_process", "state_size": f"{prefix}_state_size", "process_fast": f"{prefix}_process_fast",
    }
    assert c["state_bytes"] == (6 * 8 + 1) * 4
    assert c["flash_bytes"] > c["weight_bytes"] > 0
    assert c["macs_per_sample"] == bundle.manifest["model"]["macs_per_sample"]
    assert 0 <= c["fast_math_esr_vs_exact"] < 1e-7
    assert c["exact_vs_torch"]["max_abs_err"] < 1e-5
    assert c["activations"] == manifest_figures()
    assert "-ffp-contract=off" in c["compiler_flags"]["required"]
    for rel in c["files"]:
        assert bundle.manifest["files"][rel]["kind"] == "c"
    header = (path / c["header"]).read_text()
    for name in c["entry_points"].values():
        assert name in header
    source = (path / f"c/{prefix}.c").read_text()
    assert "#ifndef EDGEFX_WEIGHTS_SECTION" in source and "EDGEFX_WEIGHTS_SECTION static const float" in source
    assert "math.h" not in source and "-ffp-contract=off" in (path / "c/model.mk").read_text()
    assert (path / "c/runtime/edgefx_lstm.c").is_file() and not (path / "c/runtime/edgefx_conv1d.c").exists()


def test_regeneration_replaces_c_files(tmp_path):
    bundle = Bundle.create(tmp_path / "first", sample_model("gru4", seed=1), 48000)
    export_c(bundle, measure=False)
    old = set(bundle.manifest["artifacts"]["c"]["files"])
    assert "c/edgefx_first.c" in old
    bundle.manifest["name"] = "second"
    bundle.save()
    export_c(bundle, measure=False, fast_math_variants=False)
    bundle = Bundle.load(tmp_path / "first")
    c = bundle.manifest["artifacts"]["c"]
    assert "c/edgefx_second.c" in c["files"] and "process_fast" not in c["entry_points"]
    assert not (tmp_path / "first/c/edgefx_first.c").exists()
    assert not any(f.startswith("c/edgefx_first") for f in bundle.manifest["files"])


def test_unsupported_architecture_is_named(tmp_path):
    class Transformer(StreamingModel):
        arch = "transformer"

        def macs_per_sample(self) -> int:
            return 1

    with pytest.raises(CodegenError, match="transformer"):
        generate(Transformer(), "t", 48000, tmp_path / "c")
    bundle = Bundle.create(tmp_path / "b", sample_model("lstm4"), 48000)
    bundle.manifest["model"]["config"]["arch"] = "transformer"
    bundle.save()
    with pytest.raises((BundleError, ConfigError, CodegenError), match="transformer"):
        export_c(Bundle.load(tmp_path / "b"))


def test_corrupted_bundle_is_refused(exported, tmp_path):
    import shutil

    path, record = exported
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    src = copy / f"c/{record['prefix']}.c"
    src.write_text(src.read_text().replace("0.", "1.", 1))
    with pytest.raises(BundleError, match=f"c/{record['prefix']}.c"):
        Bundle.load(copy)


def test_compiler_failure_raises_codegen_error_with_diagnostics(tmp_path):
    (tmp_path / "bad.c").write_text("int f(void) { return missing_symbol; }\n")
    with pytest.raises(CodegenError, match="missing_symbol"):
        build_shared(tmp_path, ["bad.c"], cache_dir=tmp_path / "cache")


def test_build_cache_is_reused(exported, tmp_path):
    path, record = exported
    srcs = [s.removeprefix("c/") for s in record["sources"]]
    a = build_shared(path / "c", srcs, cache_dir=tmp_path)
    b = build_shared(path / "c", srcs, cache_dir=tmp_path)
    assert a == b and a.is_file() and len(list(a.parent.iterdir())) == 1  # no temp files left


def test_c_engine_without_export_leaves_bundle_alone(tmp_path):
    bundle = Bundle.create(tmp_path / "plain", sample_model("tcn-nano", seed=4), 48000)
    before = (tmp_path / "plain/manifest.json").read_text()
    engine = open_engine("c", bundle, cache_dir=tmp_path / "cache")
    assert "generated a temporary copy" in engine.note
    x = np.random.default_rng(0).standard_normal(3000).astype(np.float32) * 0.3
    y = np.concatenate([engine.process(x[:1000]), engine.process(x[1000:])])
    with torch.no_grad(), torch_threads(1):
        ref = bundle.load_model().process(torch.from_numpy(x)).numpy()
    assert np.max(np.abs(y - ref)) < 1e-5
    assert (tmp_path / "plain/manifest.json").read_text() == before and not (tmp_path / "plain/c").exists()
    engine.close()


def test_cli_export_json_and_run_with_c_engines(tmp_path, capsys):
    bundle = Bundle.create(tmp_path / "cli-lstm", sample_model("lstm6", seed=3), 48000)
    assert main(["export", str(bundle.path), "--format", "c", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["exports"]["c"]["prefix"] == "edgefx_cli_lstm"
    x = (np.sin(np.arange(24000) * 2 * np.pi * 220 / 48000) * 0.5).astype(np.float32)
    write_wav(tmp_path / "in.wav", x, 48000)
    with torch.no_grad(), torch_threads(1):
        ref = Bundle.load(bundle.path).load_model().process(torch.from_numpy(x)).numpy()
    for engine, tol in (("c", 1e-5), ("c-fast", 1e-4)):
        out_wav = tmp_path / f"{engine}.wav"
        rc = main(["run", str(bundle.path), str(tmp_path / "in.wav"), str(out_wav), "--engine", engine,
                   "--block", "100", "--json"])
        assert rc == 0
        assert json.loads(capsys.readouterr().out)["engine"] == engine
        y, _ = read_wav(out_wav)
        assert np.max(np.abs(y - ref)) < tol


def test_unknown_engine_and_format_are_clear_errors(exported, capsys):
    path, _ = exported
    with pytest.raises(ConfigError, match="unknown engine"):
        open_engine("c-turbo", Bundle.load(path))
    assert main(["export", str(path), "--format", "c,verilog"]) == 2
    assert "unknown export format verilog" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", str(path), "a.wav", "b.wav", "--engine", "c-turbo"])
