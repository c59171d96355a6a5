"""The bundle's model as a streaming ONNX graph with explicit state, written with `onnx.helper`.

    inputs : x [1, T] (T dynamic), state_* (the model's state, shapes as `initial_state(1)`)
    outputs: y [1, T],             state_*_out (the state after the block)

LSTM/GRU use the ONNX LSTM/GRU operators (gates permuted from torch's order); the TCN is built
from Concat(history, z) → dilated Conv → Slice(new history) per layer. The graph is written by
hand rather than traced so that the state inputs/outputs are exactly the streaming contract and
no exporter version (or onnxscript) is needed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from ..antialias.metrics import esr
from ..bundle import Bundle
from ..errors import BundleError, ConfigError
from ..models import RecurrentModel, StreamingModel, TCNModel
from . import check_blocks, check_signal, max_abs_error, run_in_blocks, torch_reference

OPSET = 17
ONNX_FILE = "onnx/model.onnx"
# torch gate chunks in ONNX order: LSTM torch i,f,g,o -> ONNX i,o,f,c ; GRU torch r,z,n -> ONNX z,r,h.
_LSTM_PERM = (0, 3, 1, 2)
_GRU_PERM = (1, 0, 2)
_INT64_MAX = np.iinfo(np.int64).max


class _Graph:
    """Collects nodes and initializers, handing out unique tensor names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], output: str | None = None, n_out: int = 1, **attrs: Any):
        """Add a node; returns its output name (or a list of names when ``n_out > 1``)."""
        self._n += 1
        outs = [output] if output else [f"{op_type.lower()}_{self._n}_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=f"{op_type}_{self._n}", **attrs))
        return outs[0] if n_out == 1 else outs


def _f32(t) -> np.ndarray:
    return t.detach().cpu().to(torch.float32).numpy().copy()


def _recurrent_graph(model: RecurrentModel, g: _Graph, states: list[dict]) -> str:
    H = model.hidden
    rnn = model.rnn
    perm = _LSTM_PERM if model.cell == "lstm" else _GRU_PERM
    ngates = len(perm)

    def gates(a: np.ndarray) -> np.ndarray:
        chunks = np.split(a, ngates, axis=0)
        return np.concatenate([chunks[i] for i in perm], axis=0)

    W = gates(_f32(rnn.weight_ih_l0))[None]  # [1, G*H, 1]
    R = gates(_f32(rnn.weight_hh_l0))[None]  # [1, G*H, H]
    B = np.concatenate([gates(_f32(rnn.bias_ih_l0)), gates(_f32(rnn.bias_hh_l0))])[None]  # [1, 2*G*H]
    seq = g.op("Reshape", ["x", g.const("seq_shape", np.array([-1, 1, 1], np.int64))])
    if model.cell == "lstm":
        ins = [seq, g.const("W", W), g.const("R", R), g.const("B", B), "", "state_h", "state_c"]
        g.nodes.append(helper.make_node("LSTM", ins, ["Y", "state_h_out", "state_c_out"], hidden_size=H, name="LSTM"))
    else:
        ins = [seq, g.const("W", W), g.const("R", R), g.const("B", B), "", "state_h"]
        g.nodes.append(
            helper.make_node("GRU", ins, ["Y", "state_h_out"], hidden_size=H, linear_before_reset=1, name="GRU")
        )
    for name in ("state_h", "state_c")[: 2 if model.cell == "lstm" else 1]:
        states.append({"name": name, "output": f"{name}_out", "shape": [1, 1, H]})
    hs = g.op("Reshape", ["Y", g.const("h_shape", np.array([-1, H], np.int64))])  # Y: [T, 1, 1, H]
    head = g.op("MatMul", [hs, g.const("head_w", _f32(model.head.weight).T.copy())])
    head = g.op("Add", [head, g.const("head_b", _f32(model.head.bias))])
    y_shape = g.const("y_shape", np.array([1, -1], np.int64))
    if not model.skip:
        return g.op("Reshape", [head, y_shape], output="y")
    return g.op("Add", [g.op("Reshape", [head, y_shape]), "x"], output="y")


def _conv1x1(g: _Graph, x: str, conv, name: str) -> str:
    ins = [x, g.const(f"{name}.w", _f32(conv.weight))]
    if conv.bias is not None:
        ins.append(g.const(f"{name}.b", _f32(conv.bias)))
    return g.op("Conv", ins)


def _tcn_graph(model: TCNModel, g: _Graph, states: list[dict]) -> str:
    c = g.op("Reshape", ["x", g.const("c_shape", np.array([1, 1, -1], np.int64))])  # [1, 1, T]
    z, acc, i = c, None, 0
    for a, arr in enumerate(model.arrays):
        z = _conv1x1(g, z, arr.rechannel, f"a{a}.rechannel")
        for l_idx, layer in enumerate(arr.layers):
            name = f"a{a}.l{l_idx}"
            P = layer.history
            if P > 0:
                s_in, s_out = f"state_{i}", f"state_{i}_out"
                states.append({"name": s_in, "output": s_out, "shape": [1, layer.channels, P], "layer": i})
                full = g.op("Concat", [s_in, z], axis=2)
                g.op(
                    "Slice",
                    [
                        full,
                        g.const(f"{name}.s0", np.array([-P], np.int64)),
                        g.const(f"{name}.s1", np.array([_INT64_MAX], np.int64)),
                        g.const(f"{name}.sax", np.array([2], np.int64)),
                    ],
                    output=s_out,
                )
            else:
                full = z  # a kernel of 1 keeps no history
            conv = g.op(
                "Conv",
                [
                    full,
                    g.const(f"{name}.conv.w", _f32(layer.conv.weight)),
                    g.const(f"{name}.conv.b", _f32(layer.conv.bias)),
                ],
                dilations=[layer.dilation],
            )
            pre = g.op("Add", [conv, g.op("Conv", [c, g.const(f"{name}.mix.w", _f32(layer.mixin.weight))])])
            if layer.gated:
                split = g.const(f"{name}.split", np.array([layer.channels, layer.channels], np.int64))
                lo, hi = g.op("Split", [pre, split], n_out=2, axis=1)
                u = g.op("Mul", [g.op("Tanh", [lo]), g.op("Sigmoid", [hi])])
            else:
                u = g.op("Tanh", [pre])
            z = g.op("Add", [z, _conv1x1(g, u, layer.out, f"{name}.out")])
            acc = u if acc is None else g.op("Add", [acc, u])
            i += 1
        acc = _conv1x1(g, acc, arr.head_rechannel, f"a{a}.head")
    flat = g.op("Reshape", [acc, g.const("y_shape", np.array([1, -1], np.int64))])
    return g.op("Mul", [flat, g.const("head_scale", np.array(model.head_scale, np.float32))], output="y")


def build_onnx(model: StreamingModel) -> tuple[onnx.ModelProto, list[dict]]:
    """The streaming ONNX graph of ``model`` and its state list ({name, output, shape}, in state order)."""
    g, states = _Graph(), []
    if isinstance(model, RecurrentModel):
        _recurrent_graph(model, g, states)
    elif isinstance(model, TCNModel):
        _tcn_graph(model, g, states)
    else:
        raise ConfigError(f"ONNX export does not know architecture {getattr(model, 'arch', type(model).__name__)!r}")
    f32 = TensorProto.FLOAT
    inputs = [helper.make_tensor_value_info("x", f32, [1, "T"])]
    outputs = [helper.make_tensor_value_info("y", f32, [1, "T"])]
    for s in states:
        inputs.append(helper.make_tensor_value_info(s["name"], f32, s["shape"]))
        outputs.append(helper.make_tensor_value_info(s["output"], f32, s["shape"]))
    graph = helper.make_graph(g.nodes, f"edgefx_{model.arch}", inputs, outputs, g.inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="edgefx")
    proto.ir_version = 8  # the IR of opset 17; keeps the file loadable by older runtimes
    onnx.checker.check_model(proto, full_check=True)
    return proto, states


def export_onnx(bundle: Bundle) -> dict:
    """Write ``onnx/model.onnx`` into ``bundle``, check it against PyTorch, record ``artifacts.onnx``."""
    from ..engines.onnx_engine import OnnxSession

    model = bundle.load_model()
    proto, states = build_onnx(model)
    data = proto.SerializeToString()

    x = check_signal(bundle.sample_rate)
    ref = torch_reference(model, x)
    session = OnnxSession(data, states)
    y = run_in_blocks(session.process, x, check_blocks(len(x)))
    err, ratio = max_abs_error(ref, y), float(esr(y, ref))
    if not np.isfinite(err) or err > 1e-3:
        # Far beyond float rounding: the graph is wrong, and a wrong file must not land in the bundle.
        raise BundleError(f"ONNX export of {bundle.name} disagrees with PyTorch (max abs error {err:.3g})")

    bundle.remove_files("onnx/")
    bundle.add_file(ONNX_FILE, data, kind="onnx")
    import onnxruntime

    section = {
        "file": ONNX_FILE,
        "opset": OPSET,
        "inputs": [{"name": "x", "shape": [1, "T"]}] + [{"name": s["name"], "shape": s["shape"]} for s in states],
        "outputs": [{"name": "y", "shape": [1, "T"]}] + [{"name": s["output"], "shape": s["shape"]} for s in states],
        "state": states,
        "max_abs_error": err,
        "esr": ratio,
        "check": {
            "what": "max abs error / ESR vs PyTorch (one call) over the check signal run in irregular blocks",
            "signal_seconds": round(len(x) / bundle.sample_rate, 3),
            "blocks": "irregular, 1..700 samples",
            "onnxruntime": onnxruntime.__version__,
        },
    }
    bundle.update("artifacts", {"onnx": section})
    return {"file": ONNX_FILE, "opset": OPSET, "states": [s["name"] for s in states], "max_abs_error": err}
