"""A small writer of TFLite flatbuffers over the schema's object API (no TensorFlow needed).

    fb = FlatbufferModel(weights="f32")          # or "f16", "dynint8"
    g = fb.subgraph("block")
    x = g.input("x", [1, 48])
    w = g.weight("w", array)                     # stored per the weights policy
    (y,) = g.op(Op.FULLY_CONNECTED, [x, w, -1], [[1, 4]], fc_options())
    g.output("y", y)
    data = fb.finish()                           # bytes of a .tflite file, one signature per subgraph

Weights policies (what `weight()` stores; activations are always float32):
    f32      float32 constants.
    f16      float16 constants, each followed by a DEQUANTIZE to float32: arithmetic stays float32
             (XNNPACK, the interpreter's default delegate, takes them as static weights; the plain
             builtin kernels re-run the DEQUANTIZE on every invoke).
    dynint8  FULLY_CONNECTED / CONV_2D weights as symmetric int8, one scale per output channel
             (zero point 0); the interpreter then runs its hybrid kernels, which quantize the
             float input on the fly. Biases and other constants stay float32.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as fbs

from ..errors import ConfigError

Op = fbs.BuiltinOperator
WEIGHT_POLICIES = ("f32", "f16", "dynint8")
_NP_TYPES = {
    np.dtype(np.float32): fbs.TensorType.FLOAT32,
    np.dtype(np.float16): fbs.TensorType.FLOAT16,
    np.dtype(np.int32): fbs.TensorType.INT32,
    np.dtype(np.int8): fbs.TensorType.INT8,
}
# Which options table each operator we emit takes (None: no options).
_OPTIONS_TYPE = {
    Op.ADD: fbs.BuiltinOptions.AddOptions,
    Op.SUB: fbs.BuiltinOptions.SubOptions,
    Op.MUL: fbs.BuiltinOptions.MulOptions,
    Op.CONCATENATION: fbs.BuiltinOptions.ConcatenationOptions,
    Op.CONV_2D: fbs.BuiltinOptions.Conv2DOptions,
    Op.FULLY_CONNECTED: fbs.BuiltinOptions.FullyConnectedOptions,
    Op.RESHAPE: fbs.BuiltinOptions.ReshapeOptions,
    Op.SPLIT: fbs.BuiltinOptions.SplitOptions,
    Op.SLICE: fbs.BuiltinOptions.SliceOptions,
    Op.DEQUANTIZE: fbs.BuiltinOptions.DequantizeOptions,
    Op.LOGISTIC: None,
    Op.TANH: None,
}
_OPTIONS_CLASS = {
    Op.ADD: fbs.AddOptionsT,
    Op.SUB: fbs.SubOptionsT,
    Op.MUL: fbs.MulOptionsT,
    Op.SLICE: fbs.SliceOptionsT,
    Op.DEQUANTIZE: fbs.DequantizeOptionsT,
}


def fc_options(asymmetric_inputs: bool = True, keep_num_dims: bool = False) -> fbs.FullyConnectedOptionsT:
    """FULLY_CONNECTED options; asymmetric input quantization only matters to hybrid (int8-weight) kernels."""
    o = fbs.FullyConnectedOptionsT()
    o.keepNumDims = keep_num_dims
    o.asymmetricQuantizeInputs = asymmetric_inputs
    return o


def conv_options(dilation: int = 1) -> fbs.Conv2DOptionsT:
    """CONV_2D options for a causal 1-D conv on [1, 1, W, C]: VALID padding, stride 1, dilation along W."""
    o = fbs.Conv2DOptionsT()
    o.padding = fbs.Padding.VALID
    o.strideW = o.strideH = 1
    o.dilationWFactor = int(dilation)
    o.dilationHFactor = 1
    return o


def concat_options(axis: int) -> fbs.ConcatenationOptionsT:
    o = fbs.ConcatenationOptionsT()
    o.axis = int(axis)
    return o


def split_options(n: int) -> fbs.SplitOptionsT:
    o = fbs.SplitOptionsT()
    o.numSplits = int(n)
    return o


def reshape_options(shape: list[int]) -> fbs.ReshapeOptionsT:
    o = fbs.ReshapeOptionsT()
    o.newShape = [int(d) for d in shape]
    return o


@dataclass
class Subgraph:
    """One graph of the model (a signature), built op by op in execution order."""

    owner: FlatbufferModel
    name: str
    tensors: list[fbs.TensorT] = field(default_factory=list)
    operators: list[fbs.OperatorT] = field(default_factory=list)
    inputs: list[tuple[str, int]] = field(default_factory=list)
    outputs: list[tuple[str, int]] = field(default_factory=list)
    shapes: list[list[int]] = field(default_factory=list)
    _int_consts: dict[tuple, int] = field(default_factory=dict)

    def tensor(
        self,
        name: str,
        shape: list[int],
        ttype: int = fbs.TensorType.FLOAT32,
        buffer: int = 0,
        quant: fbs.QuantizationParametersT | None = None,
    ) -> int:
        t = fbs.TensorT()
        t.name, t.shape, t.type, t.buffer, t.quantization = name, [int(d) for d in shape], ttype, buffer, quant
        self.tensors.append(t)
        self.shapes.append(list(t.shape))
        return len(self.tensors) - 1

    def shape(self, tensor: int) -> list[int]:
        return list(self.shapes[tensor])

    def input(self, name: str, shape: list[int]) -> int:
        idx = self.tensor(name, shape)
        self.inputs.append((name, idx))
        return idx

    def output(self, name: str, tensor: int) -> None:
        """Make ``tensor`` a graph output; it takes the output's name (what the engine looks up)."""
        self.tensors[tensor].name = name
        self.outputs.append((name, tensor))

    def const(self, name: str, value: np.ndarray, quant: fbs.QuantizationParametersT | None = None) -> int:
        """A constant tensor holding ``value`` exactly as given (its dtype decides the tensor type)."""
        value = np.ascontiguousarray(value)
        buf = self.owner.add_buffer(value.astype(value.dtype.newbyteorder("<"), copy=False).tobytes())
        return self.tensor(name, list(value.shape), _NP_TYPES[value.dtype], buf, quant)

    def int32(self, name: str, values: list[int] | int) -> int:
        """An int32 constant (axes, shapes, slice bounds); equal values share one tensor."""
        arr = np.asarray(values, np.int32)
        key = (arr.shape, tuple(arr.reshape(-1).tolist()))
        if key not in self._int_consts:
            self._int_consts[key] = self.const(name, arr)
        return self._int_consts[key]

    def weight(self, name: str, value: np.ndarray, quantizable: bool = False) -> int:
        """A float constant stored per the model's weights policy (see the module docstring).

        ``quantizable`` marks weights of FULLY_CONNECTED / CONV_2D (output channel on axis 0),
        the only ones the dynamic-range policy turns into int8.
        """
        value = np.asarray(value, np.float32)
        policy = self.owner.weights
        if policy == "f16":
            half = self.const(name + "_f16", value.astype(np.float16))
            (out,) = self.op(Op.DEQUANTIZE, [half], [list(value.shape)], name=name)
            return out
        if policy == "dynint8" and quantizable:
            q, scales = quantize_per_channel(value)
            qp = fbs.QuantizationParametersT()
            qp.scale = [float(s) for s in scales]
            qp.zeroPoint = [0] * len(scales)
            qp.quantizedDimension = 0
            return self.const(name, q, qp)
        return self.const(name, value)

    def op(
        self, code: int, inputs: list[int], out_shapes: list[list[int]], options: Any = None, name: str | None = None
    ) -> list[int]:
        """Append an operator; creates and returns its float32 output tensors (one per shape)."""
        base = name or f"{_op_name(code).lower()}_{len(self.operators)}"
        outs = [self.tensor(base if len(out_shapes) == 1 else f"{base}:{i}", s) for i, s in enumerate(out_shapes)]
        o = fbs.OperatorT()
        o.opcodeIndex = self.owner.opcode(code)
        o.inputs, o.outputs = [int(i) for i in inputs], outs
        otype = _OPTIONS_TYPE[code]
        if otype is not None:
            o.builtinOptionsType = otype
            o.builtinOptions = options if options is not None else _OPTIONS_CLASS[code]()
        self.operators.append(o)
        return outs

    def to_object(self) -> fbs.SubGraphT:
        sg = fbs.SubGraphT()
        sg.tensors, sg.operators, sg.name = self.tensors, self.operators, self.name
        sg.inputs = [i for _, i in self.inputs]
        sg.outputs = [i for _, i in self.outputs]
        return sg


def _op_name(code: int) -> str:
    for k, v in vars(Op).items():
        if v == code and not k.startswith("_"):
            return k
    return f"OP{code}"


def quantize_per_channel(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output channel (axis 0): q = round(w / s), s = max|w| / 127, q in [-127, 127]."""
    flat = w.reshape(w.shape[0], -1)
    scales = np.abs(flat).max(axis=1) / 127.0
    scales = np.where(scales > 0, scales, 1.0).astype(np.float32)  # all-zero rows: any scale works
    q = np.clip(np.rint(flat / scales[:, None]), -127, 127).astype(np.int8)
    return q.reshape(w.shape), scales


class FlatbufferModel:
    """A .tflite model under construction: shared buffers and operator codes, several subgraphs."""

    def __init__(self, weights: str = "f32", description: str = "edgefx") -> None:
        if weights not in WEIGHT_POLICIES:
            raise ConfigError(f"unknown TFLite weights policy {weights!r}; choose one of {WEIGHT_POLICIES}")
        self.weights = weights
        self.description = description
        self.buffers: list[fbs.BufferT] = [fbs.BufferT()]  # buffer 0: the empty one by convention
        self.opcodes: list[fbs.OperatorCodeT] = []
        self._opcode_index: dict[int, int] = {}
        self.subgraphs: list[Subgraph] = []

    def subgraph(self, name: str) -> Subgraph:
        g = Subgraph(self, name)
        self.subgraphs.append(g)
        return g

    def add_buffer(self, data: bytes) -> int:
        b = fbs.BufferT()
        b.data = np.frombuffer(data, np.uint8)
        self.buffers.append(b)
        return len(self.buffers) - 1

    def opcode(self, code: int) -> int:
        if code not in self._opcode_index:
            oc = fbs.OperatorCodeT()
            oc.builtinCode = code
            oc.deprecatedBuiltinCode = min(code, 127)  # the old int8 field; 127 means "see builtinCode"
            oc.version = _op_version(code, self.weights)
            self._opcode_index[code] = len(self.opcodes)
            self.opcodes.append(oc)
        return self._opcode_index[code]

    def finish(self) -> bytes:
        m = fbs.ModelT()
        m.version = 3  # the schema version every current interpreter reads
        m.description = self.description
        m.operatorCodes, m.buffers = self.opcodes, self.buffers
        m.subgraphs = [g.to_object() for g in self.subgraphs]
        m.signatureDefs = []
        for i, g in enumerate(self.subgraphs):
            sd = fbs.SignatureDefT()
            sd.signatureKey, sd.subgraphIndex = g.name, i
            sd.inputs = [_tensor_map(n, t) for n, t in g.inputs]
            sd.outputs = [_tensor_map(n, t) for n, t in g.outputs]
            m.signatureDefs.append(sd)
        builder = flatbuffers.Builder(1 << 16)
        builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())


def _tensor_map(name: str, tensor: int) -> fbs.TensorMapT:
    tm = fbs.TensorMapT()
    tm.name, tm.tensorIndex = name, tensor
    return tm


def _op_version(code: int, weights: str) -> int:
    """Operator versions the features we use need (the converter's rules, for the ops we emit)."""
    if weights == "dynint8":
        # Hybrid kernels with per-channel int8 weights: FULLY_CONNECTED v12, CONV_2D v5.
        return {Op.FULLY_CONNECTED: 12, Op.CONV_2D: 5}.get(code, 1)
    if weights == "f16" and code == Op.DEQUANTIZE:
        return 3  # float16 input
    return 1
