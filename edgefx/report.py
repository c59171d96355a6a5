"""Plots and a short human report for a trained bundle.

    plots/prediction.png      target vs prediction: a 20 ms window around the loudest part of the
                              test region, and the whole test region with the error below it
    plots/error_spectrum.png  long-term spectra (Welch, Hann, 8192 points) of target, prediction
                              and error e = y − ŷ, in dB re full scale
    plots/training.png        train loss and validation ESR per epoch (log scale), best epoch marked
    report.md                 what was trained on what, and the test figures

Every file is recorded in the manifest with ``bundle.add_file`` (hash, size, kind).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from .bundle import Bundle


def _figure_bytes(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)  # no display needed; leaves an already chosen backend alone
    import matplotlib.pyplot as plt

    return plt


def prediction_plot(target: np.ndarray, prediction: np.ndarray, rate: int, zoom_ms: float = 20.0) -> bytes:
    plt = _plt()
    n = len(target)
    win = max(8, min(n, int(zoom_ms * 1e-3 * rate)))
    # zoom where the target is loudest (smoothed), where a drive pedal's shape matters most
    energy = np.convolve(target.astype(np.float64) ** 2, np.ones(win) / win, mode="valid")
    s = int(np.argmax(energy)) if len(energy) else 0
    t_zoom = (np.arange(s, s + win) / rate) * 1e3
    fig, axes = plt.subplots(3, 1, figsize=(10, 8), gridspec_kw={"height_ratios": [2, 2, 1]})
    ax = axes[0]
    ax.plot(t_zoom, target[s : s + win], label="target", lw=1.4)
    ax.plot(t_zoom, prediction[s : s + win], label="prediction", lw=1.0, ls="--")
    ax.set_xlabel("time in test region (ms)")
    ax.set_title(f"zoom: {win / rate * 1e3:.0f} ms around the loudest part")
    ax.legend(loc="upper right")
    step = max(1, n // 20000)  # decimate for drawing only
    t = np.arange(0, n, step) / rate
    axes[1].plot(t, target[::step], lw=0.5, label="target")
    axes[1].plot(t, prediction[::step], lw=0.5, alpha=0.7, label="prediction")
    axes[1].set_title("whole test region")
    axes[1].legend(loc="upper right")
    err = target - prediction
    axes[2].plot(t, err[::step], lw=0.5, color="tab:red")
    axes[2].set_title("error (target − prediction)")
    axes[2].set_xlabel("time (s)")
    fig.tight_layout()
    return _figure_bytes(fig)


def spectrum_plot(target: np.ndarray, prediction: np.ndarray, rate: int) -> bytes:
    from scipy.signal import welch

    plt = _plt()
    nper = int(min(8192, len(target)))
    fig, ax = plt.subplots(figsize=(10, 5))
    for sig, label in ((target, "target"), (prediction, "prediction"), (target - prediction, "error")):
        f, p = welch(sig.astype(np.float64), fs=rate, nperseg=nper)
        ax.semilogx(f[1:], 10 * np.log10(np.maximum(p[1:], 1e-20)), label=label, lw=1.0)
    ax.set_xlim(20, rate / 2)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power spectral density (dB/Hz)")
    ax.set_title("long-term spectra over the test region")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return _figure_bytes(fig)


def training_plot(history: list[dict[str, Any]], best_epoch: int | None = None) -> bytes:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if history:
        ep = [h["epoch"] for h in history]
        ax.semilogy(ep, [h["train_loss"] for h in history], "o-", label="train loss (ESR_pre + DC)")
        ax.semilogy(ep, [h["val_esr"] for h in history], "s-", label="validation ESR")
        if best_epoch:
            ax.axvline(best_epoch, color="gray", ls=":", label=f"best epoch {best_epoch}")
    ax.set_xlabel("epoch")
    ax.set_title("training")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return _figure_bytes(fig)


def report_markdown(manifest: dict[str, Any]) -> str:
    m = manifest.get("metrics", {}).get("test", {})
    tr = manifest.get("training", {})
    model = manifest.get("model", {})
    src = tr.get("source", {})
    if src.get("kind") == "pedal":
        knobs = ", ".join(f"{k}={v}" for k, v in src.get("knobs", {}).items()) or "default knobs"
        secs = src.get("signal", {}).get("duration_s")
        what = f"built-in pedal `{src.get('pedal')}` ({knobs}), capture signal {secs} s"
    elif src.get("kind") == "wav":
        what = f"`{src.get('input')}` → `{src.get('target')}` (time split 80/10/10)"
    else:
        what = f"capture folder `{src.get('folder')}`"
    recipe = tr.get("recipe", {})
    cfg = model.get("config", {})
    size = f"hidden {cfg.get('hidden')}" if "hidden" in cfg else f"preset {cfg.get('preset', 'custom')}"
    lines = [
        f"# {manifest.get('name')}",
        "",
        f"A {model.get('arch')} ({size}, {model.get('params')} parameters, {model.get('macs_per_sample')} MACs/sample)"
        f" trained on {what} at {manifest.get('sample_rate')} Hz.",
        "",
        "| test figure | value |",
        "|---|---|",
        f"| ESR | {m.get('esr', float('nan')):.5f} ({m.get('esr_db', float('nan')):.1f} dB) |",
        f"| ESR, 0.85 high-pass pre-emphasis | {m.get('esr_preemph', float('nan')):.5f} |",
        f"| DC error | {m.get('dc', float('nan')):.2e} |",
        f"| multi-resolution STFT | {m.get('mrstft', float('nan')):.4f} |",
        f"| peak error | {m.get('peak_error', float('nan')):.4f} |",
        f"| test audio | {m.get('duration_s')} s |",
        "",
        f"Recipe `{recipe.get('name')}`, seed {tr.get('seed')}: {tr.get('epochs_run')} epochs "
        f"({tr.get('stop_reason')}), best epoch {tr.get('best_epoch')} (validation ESR "
        f"{tr.get('best_val_esr', float('nan')):.5f}, from {tr.get('initial_val_esr', float('nan')):.4f} untrained), "
        f"{tr.get('wall_seconds')} s of training ({tr.get('threads')} torch thread(s)).",
        "",
        "Plots: [prediction](plots/prediction.png) · [error spectrum](plots/error_spectrum.png) · "
        "[training](plots/training.png)",
        "",
    ]
    return "\n".join(lines)


def write_report(
    bundle: Bundle,
    *,
    target: np.ndarray,
    prediction: np.ndarray,
    history: list[dict[str, Any]],
    best_epoch: int | None = None,
) -> list[str]:
    """Write the plots and report.md into ``bundle`` and record them; returns the paths."""
    rate = bundle.sample_rate
    target = np.asarray(target, dtype=np.float32)
    prediction = np.asarray(prediction, dtype=np.float32)
    files = {
        "plots/prediction.png": prediction_plot(target, prediction, rate),
        "plots/error_spectrum.png": spectrum_plot(target, prediction, rate),
        "plots/training.png": training_plot(history, best_epoch),
    }
    for rel, data in files.items():
        bundle.add_file(rel, data, kind="plot")
    bundle.add_file("report.md", report_markdown(bundle.manifest), kind="report")
    return [*files, "report.md"]
