"""The generated C on every toolchain: warning-free, bit-identical across targets, sanitizer-clean.

aarch64 under qemu-user is the first link of the board chain: its output must equal the host
build's bit for bit (the same source, -ffp-contract=off, IEEE binary32 everywhere).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from edgefx.codegen import generate, host_model
from edgefx.codegen.build import AVX2_FLAGS, cpu_supports_avx2
from edgefx.codegen.generate import FIRMWARE_RUNTIME
from edgefx.codegen.samples import sample_model
from edgefx.signals.guitar import guitar_phrase
from edgefx.toolchains import TOOLCHAINS, WARNING_FLAGS, get_toolchain

# 13: 8- and 4-unit tiles plus a tail; 12: with AVX, the flat gate row
MODELS = ["lstm8", "lstm12", "lstm13", "gru6", "gru13", "tcn-nano-gated"]
STRICT = (*WARNING_FLAGS, "-pedantic")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen")
    return {spec: generate(sample_model(spec, seed=5), f"tc-{spec}", 48000, root / spec)
            for spec in (*MODELS, "lstm29")}


@pytest.fixture(scope="module")
def stream() -> bytes:
    x = guitar_phrase(1.0, 48000, seed=9)[:30000] * 1.5
    x[1000:1010] = [1e3, -1e3, 50, -50, 0, -0.0, 1e-42, -1e-42, 3, -3]  # extremes and subnormals
    return np.ascontiguousarray(x, dtype=np.float32).tobytes()


def _need(name: str):
    tc = get_toolchain(name)
    if not tc.available():
        pytest.skip(f"{tc.cc} not installed: toolchain {name!r} not tested")
    return tc


def _run(cmd: list[str], data: bytes, timeout: float = 300) -> bytes:
    proc = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}"
    return proc.stdout


@pytest.mark.parametrize("toolchain", list(TOOLCHAINS))
def test_generated_c_compiles_warning_free(toolchain, generated, tmp_path):
    tc = _need(toolchain)
    for spec, gen in generated.items():
        out = tmp_path / spec
        out.mkdir()
        tc.compile([gen.directory / s for s in [*gen.sources, "example_main.c"]], None, cwd=out, object_only=True,
                   extra_flags=STRICT)
        assert len(list(out.glob("*.o"))) == len(gen.sources) + 1
    # every hand-written kernel too, also without the SIMD path (what Cortex-M compiles)
    runtime = sorted(FIRMWARE_RUNTIME.glob("*.c"))
    tc.compile(runtime, None, cwd=tmp_path, object_only=True, extra_flags=STRICT)
    tc.compile(runtime, None, cwd=tmp_path, object_only=True, extra_flags=(*STRICT, "-DEDGEFX_NO_SIMD"))


def test_bench_driver_builds_warning_free_on_the_host(generated, tmp_path):
    """The host-only block-loop driver and the stand-alone bench program (firmware/bench)."""
    tc = _need("host")
    bench = FIRMWARE_RUNTIME.parent / "bench"
    gen = generated["lstm8"]
    exe = tc.compile([bench / "edgefx_bench_main.c", bench / "edgefx_bench_driver.c",
                      *[gen.directory / s for s in gen.sources]], tmp_path / "bench_main", cwd=gen.directory,
                     extra_flags=(*STRICT, f"-I{bench}", f"-I{gen.directory}", f'-DEDGEFX_BENCH_HEADER="{gen.header}"',
                                  f"-DEDGEFX_BENCH_PREFIX={gen.prefix}"), libs=("-lm",))
    out = subprocess.run([str(exe), "4800", "48", "1"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "checksum" in out.stdout


def _example(tc, gen, out: Path, *flags: str) -> Path:
    return tc.compile([gen.directory / "example_main.c", *[gen.directory / s for s in gen.sources]], out,
                      cwd=gen.directory, extra_flags=(*STRICT, *flags), libs=("-lm",))


@pytest.mark.parametrize("spec", MODELS)
def test_aarch64_under_qemu_is_bit_identical_to_host(spec, generated, stream, tmp_path):
    host = _need("host")
    arm64 = _need("aarch64")
    if shutil.which(arm64.runner[0]) is None or not Path(arm64.runner[2]).is_dir():
        pytest.skip("qemu-aarch64 or the aarch64 sysroot (/usr/aarch64-linux-gnu) is missing")
    gen = generated[spec]
    host_exe = _example(host, gen, tmp_path / "host_main")
    scalar_exe = _example(host, gen, tmp_path / "host_scalar", "-DEDGEFX_NO_SIMD")
    arm_exe = _example(arm64, gen, tmp_path / "arm_main")
    for args in (["--seed", "7"], ["--fast", "--seed", "8"]):
        ref = _run([str(host_exe), *args], stream)
        assert len(ref) == len(stream)
        assert _run([str(scalar_exe), *args], stream) == ref, "portable scalar path differs from SIMD path"
        got = _run([*arm64.runner, str(arm_exe), *args], stream)
        assert got == ref, f"{spec} {args}: aarch64 output differs from the host build"
    # and the cffi host build (the `c` engine) computes the same bits as the stand-alone program
    x = np.frombuffer(stream, dtype=np.float32)
    y = host_model(gen, cache_dir=tmp_path / "cache").process(x)
    assert y.tobytes() == _run([str(host_exe)], stream)


# The -mavx2 -mfma build (the host engine's) is slow to compile sanitized (the LSTM's constant-H
# loop copies), so it runs on the models whose 8-lane paths differ: the flat gate row (lstm12),
# 16-, 8- and 4-unit tiles and a scalar tail (lstm29), the GRU's tiles (gru13) and the TCN.
SANITIZED = [(spec, "sse2") for spec in MODELS] + [
    (spec, "avx2") for spec in ("lstm12", "lstm29", "gru13", "tcn-nano-gated")]


@pytest.mark.parametrize("spec, simd", SANITIZED)
def test_host_build_is_clean_under_asan_ubsan(spec, simd, generated, stream, tmp_path):
    """Both x86 builds: the default (4-lane SSE2) and the host engine's -mavx2 -mfma (8-lane tiles)."""
    host = _need("host")
    if simd == "avx2" and not cpu_supports_avx2():
        pytest.skip("this CPU has no AVX2 + FMA")
    gen = generated[spec]
    try:
        exe = host.compile(
            [gen.directory / "example_main.c", *[gen.directory / s for s in gen.sources]],
            tmp_path / "san_main",
            cwd=gen.directory,
            opt_flags=("-O1", "-g"),
            extra_flags=(*STRICT, *(AVX2_FLAGS if simd == "avx2" else ()), "-fsanitize=address,undefined",
                         "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"),
            libs=("-lm",),
        )
    except Exception as exc:  # noqa: BLE001 - a compiler without sanitizer runtimes
        if "asan" in str(exc).lower() or "ubsan" in str(exc).lower():
            pytest.skip(f"sanitizer runtime not available: {exc}")
        raise
    data = stream[: 20000 * 4]
    for args in (["--seed", "3"], ["--fast", "--seed", "4"], []):
        out = _run([str(exe), *args], data)
        y = np.frombuffer(out, dtype=np.float32)
        assert y.size == len(data) // 4 and np.isfinite(y).all()


def test_latency_probe_builds_warning_free_and_reports_every_figure(tmp_path):
    """firmware/bench/edgefx_latency.c (the latency and throughput floors of `latency.py`)."""
    tc = _need("host")
    bench = FIRMWARE_RUNTIME.parent / "bench"
    flags = AVX2_FLAGS if cpu_supports_avx2() else ()
    exe = tc.compile([bench / "edgefx_latency.c", bench / "edgefx_bench_driver.c"], tmp_path / "latency", cwd=tmp_path,
                     extra_flags=(*STRICT, *flags, f"-I{FIRMWARE_RUNTIME}", f"-I{bench}"), libs=("-lm",))
    out = subprocess.run([str(exe), "2000", "1", "0", "3"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    figures = {k: float(v) for k, v in (line.split() for line in out.stdout.splitlines())}
    assert set(figures) == {"lanes", "add", "mul", "fma", "tanh_fast", "sigmoid_fast", "cell_c_fast", "cell_h_fast",
                            "fma_throughput", "tanh_fast_throughput", "sigmoid_fast_throughput",
                            "cell_fast_throughput", "gemv_l1_throughput", "mix_0", "mix_3"}
    assert figures["lanes"] == (8 if flags else 4)
    assert all(np.isfinite(v) and v > 0 for v in figures.values())


def test_latency_throughput_floor_interpolates_the_mix():
    from edgefx.bench.floors import (
        any_order_latency_floor_ns,
        latency_floor_ns,
        mix_rounds,
        rounds_for,
        throughput_floor_ns,
    )

    # the chain: H dependent multiply-adds, then the cell's two halves
    assert latency_floor_ns({"fma": 1.0, "cell_c_fast": 10.0, "cell_h_fast": 5.0}, 16) == pytest.approx(31.0)
    # at any summation order: the 16 products at once, then 5 levels of adds over 17 terms (the input's included)
    chain = {"mul": 1.0, "add": 0.5, "cell_c_fast": 10.0, "cell_h_fast": 5.0}
    assert any_order_latency_floor_ns(chain, 16) == pytest.approx(1.0 + 5 * 0.5 + 15.0)
    assert any_order_latency_floor_ns(chain, 15) == pytest.approx(1.0 + 4 * 0.5 + 15.0)  # 16 terms: 4 levels

    # LSTM-16: 1104 MACs; an 8-unit slice holds 1104 / 2 = 552 of them, 69 vectors of 8, 8.625 rounds of 8
    assert mix_rounds(16, 8) == pytest.approx(8.625)
    assert rounds_for([16], 8) == [8, 9]
    probe = {"lanes": 8.0, "mix_8": 20.0, "mix_9": 22.0, "cell_fast_throughput": 10.0, "fma_throughput": 1.0}
    assert throughput_floor_ns(probe, 16) == pytest.approx((20.0 + 2.0 * 0.625) * 2)
    # a mix slower than its parts apart (10 + 8 x 8 x 0.1 = 16.4 and 17.2 ns): the parts' sum is the floor
    probe["fma_throughput"] = 0.1
    assert throughput_floor_ns(probe, 16) == pytest.approx((16.4 + 0.8 * 0.625) * 2)
