"""The built-in reference pedals: alias-free rendering, knobs, memory, robustness, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from scipy import signal

from edgefx.cli import main
from edgefx.errors import ConfigError
from edgefx.pedals import PEDALS, get_pedal, list_pedals, render

NAMES = sorted(PEDALS)


def tone(f0: float, rate: int, seconds: float, amp: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return amp * np.sin(2 * np.pi * f0 * t)


def alias_db(y: np.ndarray, rate: int, f0: float, guard: int = 12) -> float:
    """Power outside the harmonics k*f0 (incl. DC) over the power at them, in dB.

    A 200 dB Chebyshev window keeps leakage far below the -90 dB being checked; bins within
    +-guard of each harmonic (its main lobe is about +-8 bins wide) count as harmonic.
    """
    n = len(y)
    spec = np.abs(np.fft.rfft(y * signal.windows.chebwin(n, at=200))) ** 2
    binw = rate / n
    mask = np.zeros(len(spec), dtype=bool)
    k = 0
    while k * f0 < rate / 2:
        c = int(round(k * f0 / binw))
        mask[max(c - guard, 0) : c + guard + 1] = True
        k += 1
    return float(10 * np.log10(spec[~mask].sum() / spec[mask].sum()))


def thd(y: np.ndarray, rate: int, f0: float) -> float:
    spec = np.abs(np.fft.rfft(y * signal.windows.blackmanharris(len(y)))) ** 2
    binw = rate / len(y)

    def power(f: float) -> float:
        c = int(round(f / binw))
        return float(spec[c - 4 : c + 5].sum())

    harmonics = sum(power(k * f0) for k in range(2, 20) if k * f0 < rate / 2)
    return harmonics / power(f0)


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("knobs", [{}, {"drive": 1.0}, {"drive": 1.0, "boost": 1.0}],
                         ids=["default", "drive1", "boost"])
@pytest.mark.parametrize("name", NAMES)
def test_alias_free_5k_full_scale(name: str, rate: int, knobs: dict) -> None:
    """At the default factor (doubled by a boost), even full drive and full boost stay alias-free."""
    # 0.75 s; the first 0.25 s (transient, envelope settling) is discarded; 0.5 s = on-bin 5 kHz.
    y = render(name, tone(5000.0, rate, 0.75), rate, knobs).astype(np.float64)
    level = alias_db(y[rate // 4 :], rate, 5000.0)
    assert level < -90.0, f"{name} @ {rate} Hz {knobs}: non-harmonic energy {level:.1f} dB"


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_and_shape(name: str) -> None:
    x = np.random.default_rng(1).uniform(-0.5, 0.5, 4800).astype(np.float32)
    a = get_pedal(name).process(x, 48000)
    b = get_pedal(name).process(x, 48000)
    assert a.dtype == np.float32 and a.shape == x.shape
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name", NAMES)
def test_more_drive_more_distortion(name: str) -> None:
    x = tone(200.0, 48000, 0.5, amp=0.3)
    low = thd(get_pedal(name, drive=0.1).process(x, 48000)[12000:], 48000, 200.0)
    high = thd(get_pedal(name, drive=0.9).process(x, 48000)[12000:], 48000, 200.0)
    assert high > 1.5 * low


@pytest.mark.parametrize("name", NAMES)
def test_tone_tilts_spectrum(name: str) -> None:
    x = np.random.default_rng(2).uniform(-0.3, 0.3, 24000)

    def hf_ratio(t: float) -> float:
        f, p = signal.welch(get_pedal(name, tone=t).process(x, 48000), 48000, nperseg=1024)
        return float(p[f > 3000].sum() / p[(f > 100) & (f < 1000)].sum())

    assert hf_ratio(0.9) > 2.0 * hf_ratio(0.1)


@pytest.mark.parametrize("name", NAMES)
def test_level_is_plain_gain(name: str) -> None:
    x = tone(330.0, 48000, 0.1, amp=0.5)
    full = get_pedal(name, level=1.0).process(x, 48000).astype(np.float64)
    quarter = get_pedal(name, level=0.25).process(x, 48000).astype(np.float64)
    np.testing.assert_allclose(quarter, 0.25 * full, rtol=1e-6, atol=1e-7)
    assert not np.any(get_pedal(name, level=0.0).process(x, 48000))


def test_fuzz_has_memory() -> None:
    rate = 48000
    probe = tone(300.0, rate, 0.1, amp=0.1)
    loud = np.concatenate([tone(150.0, rate, 0.3, amp=1.0), np.zeros(rate // 50)])
    quiet = np.zeros_like(loud)
    fuzz = get_pedal("fuzz")
    after_loud = fuzz.process(np.concatenate([loud, probe]), rate)[len(loud) :]
    after_quiet = fuzz.process(np.concatenate([quiet, probe]), rate)[len(quiet) :]
    diff = np.sqrt(np.mean((after_loud - after_quiet) ** 2) / np.mean(after_quiet**2))
    assert diff > 0.1, f"fuzz forgot the burst (relative difference {diff:.3f})"
    # ...and the overdrive has (almost) none: its RC settles in well under 20 ms.
    od = get_pedal("overdrive")
    a = od.process(np.concatenate([loud, probe]), rate)[len(loud) :]
    b = od.process(np.concatenate([quiet, probe]), rate)[len(quiet) :]
    assert np.sqrt(np.mean((a - b) ** 2) / np.mean(b**2)) < 0.05


@pytest.mark.parametrize("name", NAMES)
def test_output_aligned_with_input(name: str) -> None:
    """The resamplers' latency is removed: an impulse comes out where it went in."""
    x = np.zeros(4800)
    x[1000] = 0.01
    y = get_pedal(name, drive=0.0, tone=1.0).process(x, 48000)
    assert 1000 <= int(np.argmax(np.abs(y))) <= 1003


@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_stay_finite_and_bounded(name: str) -> None:
    rate = 44100
    rng = np.random.default_rng(3)
    silence = get_pedal(name).process(np.zeros(2000), rate)
    assert np.max(np.abs(silence)) < 1e-9
    for drive in (0.0, 1.0):
        pedal = get_pedal(name, drive=drive, level=1.0)
        for x in (rng.uniform(-1, 1, 8820), np.ones(8820), -np.ones(8820), 20.0 * rng.uniform(-1, 1, 4410)):
            y = pedal.process(x, rate)
            assert np.all(np.isfinite(y))
            assert np.max(np.abs(y)) < 2.5  # the diodes bound the swing at any input level
    # Default level keeps a full-scale input below the rail.
    for x in (rng.uniform(-1, 1, 8820), tone(110.0, rate, 0.2)):
        assert np.max(np.abs(get_pedal(name).process(x, rate))) < 1.0


def test_oversample_parameter() -> None:
    x = tone(440.0, 48000, 0.1, amp=0.5)
    ref = render("overdrive", x, 48000, oversample=32).astype(np.float64)
    y = render("overdrive", x, 48000).astype(np.float64)
    assert np.sum((y - ref) ** 2) / np.sum(ref**2) < 1e-4  # default factor is already converged
    assert render("fuzz", x, 48000, oversample=1).shape == x.shape  # plain-rate mode exists
    with pytest.raises(ConfigError, match="power of two"):
        render("fuzz", x, 48000, oversample=3)


def test_list_pedals_shape() -> None:
    info = list_pedals()
    assert {p["name"] for p in info} >= {"overdrive", "fuzz", "distortion"}
    for p in info:
        assert set(p) == {"name", "description", "knobs", "oversample"}
        assert set(p["knobs"]) == {"drive", "tone", "level", "boost"}
        for k in p["knobs"].values():
            assert k["min"] <= k["default"] <= k["max"] and k["help"]


def test_errors_name_the_problem() -> None:
    with pytest.raises(ConfigError, match="overdrive.*fuzz.*distortion|available"):
        get_pedal("wah")
    with pytest.raises(ConfigError, match="gain.*drive, tone, level"):
        get_pedal("fuzz", gain=0.5)
    with pytest.raises(ConfigError, match="out of range"):
        get_pedal("overdrive", drive=1.5)
    with pytest.raises(ConfigError, match="out of range"):
        get_pedal("overdrive", tone=float("nan"))
    p = get_pedal("distortion")
    with pytest.raises(ConfigError, match="sample rate"):
        p.process(np.zeros(10), 8000)
    with pytest.raises(ConfigError, match="mono"):
        p.process(np.zeros((10, 2)), 48000)
    with pytest.raises(ConfigError, match="NaN"):
        p.process(np.array([0.0, np.nan]), 48000)


def test_cli_list_and_render(tmp_path, capsys) -> None:
    assert main(["pedals", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in listed["pedals"]] == [p["name"] for p in list_pedals()]
    assert main(["pedals", "list"]) == 0
    assert "overdrive" in capsys.readouterr().out

    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    x = tone(220.0, 44100, 0.25, amp=0.4).astype(np.float32)
    sf.write(src, x, 44100, subtype="FLOAT")
    argv = ["pedals", "render", "overdrive", str(src), str(dst), "--knob", "drive=0.7", "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["pedal"] == "overdrive" and summary["knobs"]["drive"] == 0.7
    assert summary["rate"] == 44100 and summary["samples"] == len(x)
    y, rate = sf.read(dst, dtype="float32")
    assert rate == 44100
    np.testing.assert_array_equal(y, render("overdrive", x, 44100, {"drive": 0.7}))
    assert abs(summary["peak"] - float(np.max(np.abs(y)))) < 1e-6

    assert main(["pedals", "render", "overdrive", str(src), str(dst), "--oversample", "32"]) == 0
    assert "32x" in capsys.readouterr().out


def test_cli_errors(tmp_path, capsys) -> None:
    src = tmp_path / "in.wav"
    sf.write(src, np.zeros(100, dtype=np.float32), 48000, subtype="FLOAT")
    assert main(["pedals", "render", "nope", str(src), str(tmp_path / "o.wav")]) == 2
    assert "unknown pedal" in capsys.readouterr().err
    assert main(["pedals", "render", "fuzz", str(src), str(tmp_path / "o.wav"), "--knob", "drive=x"]) == 2
    assert main(["pedals", "render", "fuzz", str(tmp_path / "missing.wav"), str(tmp_path / "o.wav")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_compile_failure_is_a_codegen_error(tmp_path, monkeypatch) -> None:
    from edgefx.errors import CodegenError
    from edgefx.pedals import _native

    bad = tmp_path / "bad.c"
    bad.write_text("int ef_render(void) { return syntax error; }\n")
    monkeypatch.setenv("EDGEFX_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(_native, "SOURCE", bad)
    with pytest.raises(CodegenError, match="gcc failed") as info:
        _native.library_path()
    assert "error" in str(info.value)


def test_build_cache_is_keyed_by_source(tmp_path, monkeypatch) -> None:
    from edgefx.pedals import _native

    monkeypatch.setenv("EDGEFX_CACHE", str(tmp_path))
    path = _native.library_path()
    assert path.exists() and path.is_relative_to(tmp_path / "pedals")
    assert _native.library_path() == path  # second call reuses the build
