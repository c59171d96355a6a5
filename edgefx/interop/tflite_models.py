"""The edgefx architectures as TFLite subgraphs for a fixed block of T samples, explicit state.

    inputs : x [1, T], then the state tensors      outputs: y [1, T], then the state after the block

LSTM/GRU are unrolled over the T samples (TFLite has no recurrent op with state in and out that
the interpreter accepts for our cell definitions), one step being

    LSTM:  xh = [x_t, h];  i,f,o = σ(W_ifo xh + b);  g = tanh(W_g xh + b_g)
           c = f c + i g;  h = o tanh(c)
    GRU :  xh = [x_t, h];  r,z = σ(W_rz xh + b);  n = tanh(W_in x_t + b_in + r ⊙ (W_hn h + b_hn))
           h = n + z (h − n)                                   (= (1 − z) n + z h, torch's GRU)

and the head runs once over all T hidden vectors. State shapes: h, c as [1, H].

The TCN uses NHWC [1, 1, W, C] tensors: per layer CONCATENATION(history, z) along W, a dilated
CONV_2D (VALID) over it, and a SLICE of the last (k−1)·d columns as the new history ([1, 1, P, C]).
1x1 convolutions are CONV_2D with 1x1 kernels; the input mixer (one input channel) is a MUL.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import ConfigError
from ..models import RecurrentModel, StreamingModel, TCNModel
from .tflite_graph import (
    Op,
    Subgraph,
    concat_options,
    conv_options,
    fc_options,
    reshape_options,
    split_options,
)

MAX_UNROLL = 1024  # recurrent blocks are unrolled: ~11 operators per sample


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().to(torch.float32).numpy().copy()


def state_spec(model: StreamingModel) -> list[dict]:
    """The state tensors of the TFLite graphs: [{name, output, shape}] in input order."""
    if isinstance(model, RecurrentModel):
        names = ["state_h", "state_c"] if model.cell == "lstm" else ["state_h"]
        return [{"name": n, "output": f"{n}_out", "shape": [1, model.hidden]} for n in names]
    if isinstance(model, TCNModel):
        return [
            {
                "name": f"state_{i}",
                "output": f"state_{i}_out",
                "shape": [1, 1, layer.history, layer.channels],
                "layer": i,
            }
            for i, layer in enumerate(model.all_layers())
            if layer.history > 0  # a kernel of 1 keeps no history
        ]
    raise ConfigError(f"TFLite export does not know architecture {getattr(model, 'arch', type(model).__name__)!r}")


def add_model(g: Subgraph, model: StreamingModel, T: int) -> None:
    """Emit ``model`` for blocks of ``T`` samples into the empty subgraph ``g``."""
    if T < 1:
        raise ConfigError(f"TFLite block size must be >= 1 (got {T})")
    if isinstance(model, RecurrentModel):
        if T > MAX_UNROLL:
            raise ConfigError(f"TFLite block size {T} too large for an unrolled recurrent graph (max {MAX_UNROLL})")
        _add_recurrent(g, model, T)
    elif isinstance(model, TCNModel):
        _add_tcn(g, model, T)
    else:
        state_spec(model)  # raises the ConfigError naming the architecture


def _split(g: Subgraph, x: int, axis: int, n: int) -> list[int]:
    """SPLIT ``x`` into ``n`` equal parts along ``axis`` (no operator when n == 1)."""
    if n == 1:
        return [x]
    shape = g.shape(x)
    shape[axis] //= n
    return g.op(Op.SPLIT, [g.int32(f"axis{axis}", axis), x], [shape] * n, split_options(n))


def _fc(g: Subgraph, x: int, w: int, b: int, rows: int) -> int:
    (y,) = g.op(Op.FULLY_CONNECTED, [x, w, b], [[g.shape(x)[0], rows]], fc_options())
    return y


def _unary(g: Subgraph, code: int, x: int) -> int:
    return g.op(code, [x], [g.shape(x)])[0]


def _binary(g: Subgraph, code: int, a: int, b: int) -> int:
    sa, sb = g.shape(a), g.shape(b)
    shape = list(np.broadcast_shapes(tuple(sa), tuple(sb)))
    return g.op(code, [a, b], [shape])[0]


def _add_recurrent(g: Subgraph, model: RecurrentModel, T: int) -> None:
    H, rnn = model.hidden, model.rnn
    x = g.input("x", [1, T])
    h = g.input("state_h", [1, H])
    c = g.input("state_c", [1, H]) if model.cell == "lstm" else None
    w_ih, w_hh = _np(rnn.weight_ih_l0), _np(rnn.weight_hh_l0)
    b_ih, b_hh = _np(rnn.bias_ih_l0), _np(rnn.bias_hh_l0)
    w_xh = np.concatenate([w_ih, w_hh], axis=1)  # rows act on [x_t, h]
    xs = _split(g, x, 1, T)
    hs = []
    if model.cell == "lstm":
        # torch rows: i, f, g, o. The three sigmoid gates share one FC and one LOGISTIC.
        sig = np.r_[0 : 2 * H, 3 * H : 4 * H]
        w_s = g.weight("lstm.w_ifo", w_xh[sig], quantizable=True)
        b_s = g.weight("lstm.b_ifo", (b_ih + b_hh)[sig])
        w_g = g.weight("lstm.w_g", w_xh[2 * H : 3 * H], quantizable=True)
        b_g = g.weight("lstm.b_g", (b_ih + b_hh)[2 * H : 3 * H])
        for t in range(T):
            (xh,) = g.op(Op.CONCATENATION, [xs[t], h], [[1, 1 + H]], concat_options(1))
            i_, f_, o_ = _split(g, _unary(g, Op.LOGISTIC, _fc(g, xh, w_s, b_s, 3 * H)), 1, 3)
            gg = _unary(g, Op.TANH, _fc(g, xh, w_g, b_g, H))
            c = _binary(g, Op.ADD, _binary(g, Op.MUL, f_, c), _binary(g, Op.MUL, i_, gg))
            h = _binary(g, Op.MUL, o_, _unary(g, Op.TANH, c))
            hs.append(h)
    else:
        # torch rows: r, z, n. n's input and hidden parts stay apart (r multiplies only W_hn h + b_hn).
        w_rz = g.weight("gru.w_rz", w_xh[: 2 * H], quantizable=True)
        b_rz = g.weight("gru.b_rz", (b_ih + b_hh)[: 2 * H])
        w_in = g.weight("gru.w_in", w_ih[2 * H :], quantizable=True)
        b_in = g.weight("gru.b_in", b_ih[2 * H :])
        w_hn = g.weight("gru.w_hn", w_hh[2 * H :], quantizable=True)
        b_hn = g.weight("gru.b_hn", b_hh[2 * H :])
        # The input part of n for all T samples at once: one FC over x as a [T, 1] column.
        (xcol,) = g.op(Op.RESHAPE, [x, g.int32("shape_T1", [T, 1])], [[T, 1]], reshape_options([T, 1]))
        xns = _split(g, _fc(g, xcol, w_in, b_in, H), 0, T)
        for t in range(T):
            (xh,) = g.op(Op.CONCATENATION, [xs[t], h], [[1, 1 + H]], concat_options(1))
            r_, z_ = _split(g, _unary(g, Op.LOGISTIC, _fc(g, xh, w_rz, b_rz, 2 * H)), 1, 2)
            hn = _fc(g, h, w_hn, b_hn, H)
            n_ = _unary(g, Op.TANH, _binary(g, Op.ADD, xns[t], _binary(g, Op.MUL, r_, hn)))
            h = _binary(g, Op.ADD, n_, _binary(g, Op.MUL, z_, _binary(g, Op.SUB, h, n_)))
            hs.append(h)
    if T > 1:
        (h_all,) = g.op(Op.CONCATENATION, hs, [[T, H]], concat_options(0))
    else:
        h_all = hs[0]
    w_head = g.weight("head.w", _np(model.head.weight), quantizable=True)
    head = _fc(g, h_all, w_head, g.weight("head.b", _np(model.head.bias)), 1)
    (y,) = g.op(Op.RESHAPE, [head, g.int32("shape_1T", [1, T])], [[1, T]], reshape_options([1, T]))
    if model.skip:
        y = _binary(g, Op.ADD, y, x)
    g.output("y", y)
    g.output("state_h_out", h)
    if c is not None:
        g.output("state_c_out", c)


def _conv(g: Subgraph, x: int, weight: np.ndarray, bias: np.ndarray | None, name: str, dilation: int = 1) -> int:
    """A causal 1-D conv (torch weight [O, I, k]) on NHWC [1, 1, W, I] → [1, 1, W − (k−1)·d, O]."""
    O, _, k = weight.shape
    w = g.weight(name + ".w", weight.transpose(0, 2, 1)[:, None], quantizable=True)  # OHWI [O, 1, k, I]
    b = g.weight(name + ".b", bias if bias is not None else np.zeros(O, np.float32))
    n, hh, W, _ = g.shape(x)
    (y,) = g.op(Op.CONV_2D, [x, w, b], [[n, hh, W - (k - 1) * dilation, O]], conv_options(dilation))
    return y


def _add_tcn(g: Subgraph, model: TCNModel, T: int) -> None:
    x = g.input("x", [1, T])
    (c,) = g.op(Op.RESHAPE, [x, g.int32("shape_11T1", [1, 1, T, 1])], [[1, 1, T, 1]], reshape_options([1, 1, T, 1]))
    z, acc, i, state_outs = c, None, 0, []
    last = len(model.arrays) - 1
    for a, arr in enumerate(model.arrays):
        z = _conv(g, z, _np(arr.rechannel.weight), None, f"a{a}.rechannel")
        for l_idx, layer in enumerate(arr.layers):
            name, P, C = f"a{a}.l{l_idx}", layer.history, layer.channels
            if P > 0:
                s = g.input(f"state_{i}", [1, 1, P, C])
                (full,) = g.op(Op.CONCATENATION, [s, z], [[1, 1, P + T, C]], concat_options(2))
                (s_out,) = g.op(
                    Op.SLICE,
                    [full, g.int32(f"{name}.begin", [0, 0, T, 0]), g.int32(f"{name}.size", [1, 1, P, C])],
                    [[1, 1, P, C]],
                )
                state_outs.append((f"state_{i}_out", s_out))
            else:
                full = z
            pre = _conv(g, full, _np(layer.conv.weight), _np(layer.conv.bias), f"{name}.conv", layer.dilation)
            mix = _binary(g, Op.MUL, c, g.weight(f"{name}.mix", _np(layer.mixin.weight).reshape(-1)))
            pre = _binary(g, Op.ADD, pre, mix)
            if layer.gated:
                lo, hi = _split(g, pre, 3, 2)
                u = _binary(g, Op.MUL, _unary(g, Op.TANH, lo), _unary(g, Op.LOGISTIC, hi))
            else:
                u = _unary(g, Op.TANH, pre)
            z = _binary(g, Op.ADD, z, _conv(g, u, _np(layer.out.weight), _np(layer.out.bias), f"{name}.out"))
            acc = u if acc is None else _binary(g, Op.ADD, acc, u)
            i += 1
        w = _np(arr.head_rechannel.weight)
        b = _np(arr.head_rechannel.bias) if arr.head_rechannel.bias is not None else None
        if a == last:  # fold head_scale into the final 1x1: one operator less per block
            w = w * model.head_scale
            b = b * model.head_scale if b is not None else None
        acc = _conv(g, acc, w, b, f"a{a}.head")
    (y,) = g.op(Op.RESHAPE, [acc, g.int32("shape_1T", [1, T])], [[1, T]], reshape_options([1, T]))
    g.output("y", y)
    for name, t in state_outs:
        g.output(name, t)
