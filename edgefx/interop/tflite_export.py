"""The bundle's model as TFLite flatbuffers, written directly from the torch weights.

No TensorFlow: the graphs are emitted with the TFLite schema's object API (`tflite_graph`), one
subgraph per block size (`tflite_models`). Each file holds two signatures,

    block:  x [1, T] (T = the block, 48 by default), state_*  ->  y [1, T], state_*_out
    step :  x [1, 1],                                state_*  ->  y [1, 1], state_*_out

so a host runs whole blocks and any remainder sample by sample with one state. Variants:

    f32      float32 throughout                                   tflite/model_f32.tflite
    f16      float16 weights, float32 arithmetic                  tflite/model_f16.tflite
    dynint8  int8 per-channel weights of FULLY_CONNECTED/CONV_2D,  tflite/model_dynint8.tflite
             float activations (the interpreter's hybrid kernels)

Full-integer int8 (int8 activations) is not produced; the manifest says why.
"""

from __future__ import annotations

from ..antialias.metrics import esr
from ..bundle import Bundle
from ..errors import BundleError, ConfigError
from ..models import StreamingModel
from . import check_blocks, check_signal, max_abs_error, run_in_blocks, torch_reference
from .tflite_graph import FlatbufferModel
from .tflite_models import add_model, state_spec

DEFAULT_BLOCK = 48
VARIANTS = {
    "f32": "float32 weights and arithmetic",
    "f16": "float16 weights (DEQUANTIZE to float32 in the graph), float32 arithmetic",
    "dynint8": "int8 symmetric per-channel weights for FULLY_CONNECTED/CONV_2D, float32 activations (hybrid kernels)",
}
FULL_INT8_REASON = (
    "not implemented: full-integer int8 needs calibrated activation ranges, int8 state inputs/outputs with "
    "fixed scales and int8 LOGISTIC/TANH with their fixed output scales; this exporter does not produce it "
    "(edgefx's integer route is the fixed-point C path), so its error was not measured"
)
F32_LIMIT = 1e-3  # far beyond float rounding: the graph is wrong and must not land in the bundle


def build_tflite(model: StreamingModel, weights: str = "f32", block: int = DEFAULT_BLOCK) -> bytes:
    """The .tflite bytes of ``model``: signatures ``block`` (T = ``block``, primary) and ``step`` (T = 1)."""
    if not isinstance(block, int) or block < 1:
        raise ConfigError(f"TFLite block size must be a positive integer (got {block!r})")
    state_spec(model)  # unknown architectures fail here, before any work
    fb = FlatbufferModel(weights, description=f"edgefx {model.arch} ({weights} weights)")
    add_model(fb.subgraph("block"), model, block)
    add_model(fb.subgraph("step"), model, 1)
    return fb.finish()


def export_tflite(bundle: Bundle, block: int = DEFAULT_BLOCK, threads: int | None = 1) -> dict:
    """Write the TFLite variants into ``bundle``, check each against PyTorch, record ``artifacts.tflite``."""
    from ai_edge_litert import __version__ as litert_version

    from ..engines.tflite_engine import TFLiteSession

    model = bundle.load_model()
    states = state_spec(model)
    x = check_signal(bundle.sample_rate)
    ref = torch_reference(model, x)
    sizes = check_blocks(len(x))

    built: dict[str, bytes] = {}
    variants: dict[str, dict] = {}
    for variant, description in VARIANTS.items():
        entry: dict = {"description": description}
        try:
            data = build_tflite(model, variant, block)
            session = TFLiteSession(data, states, block, threads)
            y = run_in_blocks(session.process, x, sizes)
        except (RuntimeError, ValueError) as exc:  # the interpreter refusing a graph (our errors pass through)
            entry["not_possible"] = f"the LiteRT interpreter rejected it: {str(exc).splitlines()[0]}"
            variants[variant] = entry
            continue
        err, ratio = max_abs_error(ref, y), float(esr(y, ref))
        if variant == "f32" and not (err <= F32_LIMIT):
            raise BundleError(
                f"TFLite float32 export of {bundle.name} disagrees with PyTorch (max abs error {err:.3g})"
            )
        entry.update({"bytes": len(data), "max_abs_error": err, "esr": ratio})
        built[variant] = data
        variants[variant] = entry
    variants["int8"] = {"description": "full-integer int8", "not_possible": FULL_INT8_REASON}

    bundle.remove_files("tflite/")
    files = []
    for variant, data in built.items():
        rel = f"tflite/model_{variant}.tflite"
        bundle.add_file(rel, data, kind="tflite")
        variants[variant]["file"] = rel
        files.append(rel)
    section = {
        "files": files,
        "block": block,
        "signatures": {
            "block": {"T": block, "io": f"x [1, {block}] + state -> y [1, {block}] + state_out", "subgraph": 0},
            "step": {"T": 1, "io": "x [1, 1] + state -> y [1, 1] + state_out (remainders)", "subgraph": 1},
        },
        "state": states,
        "variants": variants,
        "check": {
            "what": "max abs error / ESR vs PyTorch (one call) over the check signal run in irregular blocks",
            "signal_seconds": round(len(x) / bundle.sample_rate, 3),
            "blocks": "irregular, 1..700 samples",
            "interpreter": f"ai-edge-litert {litert_version}, default delegate (XNNPACK)",
            "threads": threads,
        },
    }
    bundle.update("artifacts", {"tflite": section})
    summary = {
        v: {k: d[k] for k in ("file", "max_abs_error", "esr") if k in d} for v, d in variants.items() if "file" in d
    }
    missing = {v: d["not_possible"] for v, d in variants.items() if "not_possible" in d}
    return {"files": files, "block": block, "variants": summary, "not_possible": missing}
