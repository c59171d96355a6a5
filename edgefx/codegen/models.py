"""Model-specific C: weights in kernel layout, sizes, the state struct and the wiring.

Each emitter returns a `ModelCode`; `generate.py` wraps it in the public header, the source
file, the example and the build files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ..errors import CodegenError
from ..models import RecurrentModel, StreamingModel, TCNModel
from .emit import c_array

SUPPORTED = ("lstm", "gru", "tcn")

# runtime files each kernel needs (in firmware/runtime, copied to c/runtime)
_BASE = ["edgefx_types.h", "edgefx_activations.h", "edgefx_dense.h"]
RUNTIME_FILES = {
    "lstm": _BASE + ["edgefx_lstm.h", "edgefx_lstm.c"],
    "gru": _BASE + ["edgefx_gru.h", "edgefx_gru.c"],
    "tcn": _BASE + ["edgefx_conv1d.h"],  # inline block kernels only; the .c helpers serve tests
}


@dataclass
class ModelCode:
    """What the generator knows about one model's C."""

    arch: str
    includes: list[str]                 # runtime headers the source includes
    runtime: list[str]                  # runtime files to copy
    state_fields: list[tuple[str, str, int]]  # (C type, name, count) of the state struct
    weights: str                        # the constant arrays (and tables)
    body: str                           # body of the static run(s, in, out, n, fast)
    reset_body: str
    weight_floats: int
    describe: list[str] = field(default_factory=list)
    helpers: str = ""                   # static functions emitted before the run function

    @property
    def state_bytes(self) -> int:
        """sizeof the state struct: every field is 4-byte (float / uint32_t), so no padding."""
        return sum(4 * count for _, _, count in self.state_fields)


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float32).cpu().numpy()


def emit_model(model: StreamingModel, prefix: str) -> ModelCode:
    """Dispatch on the architecture; unsupported ones raise `CodegenError` naming them."""
    if isinstance(model, RecurrentModel) and model.cell == "lstm":
        return _lstm(model, prefix)
    if isinstance(model, RecurrentModel) and model.cell == "gru":
        return _gru(model, prefix)
    if isinstance(model, TCNModel):
        return _tcn(model, prefix)
    raise CodegenError(
        f"C generation does not support architecture {getattr(model, 'arch', type(model).__name__)!r}; "
        f"supported: {', '.join(SUPPORTED)}"
    )


def _head(model: RecurrentModel) -> tuple[np.ndarray, float]:
    return _np(model.head.weight).reshape(-1), float(_np(model.head.bias).reshape(-1)[0])


def _lstm(model: RecurrentModel, p: str) -> ModelCode:
    H = model.hidden
    rnn = model.rnn
    w = np.concatenate([_np(rnn.weight_ih_l0), _np(rnn.weight_hh_l0)], axis=1)  # [4H, H+1], torch i,f,g,o
    b = _np(rnn.bias_ih_l0) + _np(rnn.bias_hh_l0)                               # float32 sum
    order = np.r_[0 : 2 * H, 3 * H : 4 * H, 2 * H : 3 * H]                     # -> i, f, o, g
    w_cm = np.ascontiguousarray(w[order].T)                                     # [H+1][4H]
    hw, hb = _head(model)
    from .emit import c_float

    weights = (
        c_array(f"{p}_w", w_cm, f"LSTM gates, column-major [1 + {H}][{4 * H}], gate order i, f, o, g")
        + c_array(f"{p}_b", b[order], "b_ih + b_hh")
        + c_array(f"{p}_head_w", hw, "linear head")
        + f"\nstatic const edgefx_lstm_f32 {p}_lstm = {{\n    {H}u, {p}_w, {p}_b, {p}_head_w, {c_float(hb)}, "
        f"{int(model.skip)}\n}};\n"
    )
    body = (
        f"    if (fast) edgefx_lstm_process_fast_f32(&{p}_lstm, s->lstm, in, out, n);\n"
        f"    else edgefx_lstm_process_f32(&{p}_lstm, s->lstm, in, out, n);\n"
    )
    return ModelCode(
        arch="lstm",
        includes=["edgefx_lstm.h"],
        runtime=RUNTIME_FILES["lstm"],
        state_fields=[("float", "lstm", 6 * H + 1)],
        weights=weights,
        body=body,
        reset_body=f"    edgefx_lstm_reset_f32(&{p}_lstm, s->lstm);\n",
        weight_floats=w_cm.size + b.size + hw.size + 1,
        describe=[f"LSTM, hidden {H}, linear head{', input skip' if model.skip else ''}"],
    )


def _gru(model: RecurrentModel, p: str) -> ModelCode:
    H = model.hidden
    rnn = model.rnn
    w_hh = np.ascontiguousarray(_np(rnn.weight_hh_l0).T)  # [H][3H]
    b_hh, w_ih, b_ih = _np(rnn.bias_hh_l0), _np(rnn.weight_ih_l0).reshape(-1), _np(rnn.bias_ih_l0)
    hw, hb = _head(model)
    from .emit import c_float

    weights = (
        c_array(f"{p}_w_hh", w_hh, f"GRU recurrent weights, column-major [{H}][{3 * H}], gate order r, z, n")
        + c_array(f"{p}_b_hh", b_hh, "b_hh")
        + c_array(f"{p}_w_ih", w_ih, "input weights")
        + c_array(f"{p}_b_ih", b_ih, "b_ih")
        + c_array(f"{p}_head_w", hw, "linear head")
        + f"\nstatic const edgefx_gru_f32 {p}_gru = {{\n    {H}u, {p}_w_hh, {p}_b_hh, {p}_w_ih, {p}_b_ih, "
        f"{p}_head_w, {c_float(hb)}, {int(model.skip)}\n}};\n"
    )
    body = (
        f"    if (fast) edgefx_gru_process_fast_f32(&{p}_gru, s->gru, in, out, n);\n"
        f"    else edgefx_gru_process_f32(&{p}_gru, s->gru, in, out, n);\n"
    )
    return ModelCode(
        arch="gru",
        includes=["edgefx_gru.h"],
        runtime=RUNTIME_FILES["gru"],
        state_fields=[("float", "gru", 4 * H)],
        weights=weights,
        body=body,
        reset_body=f"    edgefx_gru_reset_f32(&{p}_gru, s->gru);\n",
        weight_floats=w_hh.size + 3 * b_hh.size + hw.size + 1,
        describe=[f"GRU, hidden {H}, linear head{', input skip' if model.skip else ''}"],
    )


TCN_MAX_CHUNK = 32  # samples per block-wise pass: bounds the stack scratch and the ring slack
TCN_MAX_TAPS = 16   # EDGEFX_CONV1D_MAX_TAPS in edgefx_conv1d.h


def _tcn(model: TCNModel, p: str) -> ModelCode:
    """Block-wise TCN: chunks of at most TCN_MAX_CHUNK samples go through the net layer by layer.

    Each layer's input frames enter a ring of (k-1)·d + TCN_MAX_CHUNK frames, so every tap of
    the dilated conv reads contiguous frames; 1x1 weights are stored column-major [in][out].
    """
    from .emit import c_float

    arrays = list(model.arrays)
    layers = model.all_layers()
    mc = TCN_MAX_CHUNK
    hist_offsets, ring_frames, total_hist = [], [], 0
    for layer in layers:
        if layer.kernel_size > TCN_MAX_TAPS:
            raise CodegenError(f"TCN kernel size {layer.kernel_size} > {TCN_MAX_TAPS} is not supported in C")
        hist_offsets.append(total_hist)
        ring_frames.append(layer.history + mc)
        total_hist += ring_frames[-1] * layer.channels
    widest = max(
        max(a.spec["channels"] * (2 if a.spec["gated"] else 1), a.spec["head_size"], a.spec["input_size"])
        for a in arrays
    )
    parts: list[str] = []
    floats = 0
    table: list[str] = []
    li = 0
    for ai, arr in enumerate(arrays):
        rw = np.ascontiguousarray(_np(arr.rechannel.weight)[:, :, 0].T)
        parts.append(c_array(f"{p}_a{ai}_rechannel", rw, f"array {ai}: 1x1 rechannel, column-major "
                             f"[{rw.shape[0]}][{rw.shape[1]}]"))
        floats += rw.size
        hw = np.ascontiguousarray(_np(arr.head_rechannel.weight)[:, :, 0].T)
        parts.append(c_array(f"{p}_a{ai}_head_w", hw, f"array {ai}: 1x1 head rechannel, column-major "
                             f"[{hw.shape[0]}][{hw.shape[1]}]"))
        floats += hw.size
        if arr.head_rechannel.bias is not None:
            parts.append(c_array(f"{p}_a{ai}_head_b", _np(arr.head_rechannel.bias), f"array {ai}: head bias"))
            floats += hw.shape[1]
        for layer in arr.layers:
            cw = np.ascontiguousarray(_np(layer.conv.weight).transpose(2, 1, 0))  # [K][C][W]
            resw = np.ascontiguousarray(_np(layer.out.weight)[:, :, 0].T)       # [C_in][C_out]
            tag = f"{p}_l{li}"
            parts.append(
                c_array(f"{tag}_conv_w", cw, f"layer {li}: dilated conv k={layer.kernel_size} d={layer.dilation}, "
                        f"[K][C_in][C_out] = [{cw.shape[0]}][{cw.shape[1]}][{cw.shape[2]}]")
                + c_array(f"{tag}_conv_b", _np(layer.conv.bias), f"layer {li}: conv bias")
                + c_array(f"{tag}_mix", _np(layer.mixin.weight).reshape(-1), f"layer {li}: input mixer")
                + c_array(f"{tag}_res_w", resw, f"layer {li}: 1x1 residual, column-major [C][C]")
                + c_array(f"{tag}_res_b", _np(layer.out.bias), f"layer {li}: residual bias")
            )
            floats += cw.size + 2 * cw.shape[2] + layer.channels * (layer.channels + 1)
            table.append(
                f"    {{{tag}_conv_w, {tag}_conv_b, {tag}_mix, {tag}_res_w, {tag}_res_b, {layer.dilation}u, "
                f"{ring_frames[li]}u, {hist_offsets[li]}u}}"
            )
            li += 1
    weights = "".join(parts)
    weights += (
        f"\n#define {p.upper()}_MAX_CHUNK {mc}u /* samples per block-wise pass */\n"
        f"\n/* one dilated-conv layer: conv, input mixer, activation, residual 1x1 */\n"
        f"typedef struct {{\n    const float *conv_w;\n    const float *conv_b;\n    const float *mix;\n"
        f"    const float *res_w;\n    const float *res_b;\n    uint32_t dilation;\n"
        f"    uint32_t ring_frames; /* (k-1) d + MAX_CHUNK */\n    uint32_t hist_offset; /* into state.hist */\n"
        f"}} {p}_layer;\n\n"
        f"static const {p}_layer {p}_layers[{len(layers)}] = {{\n" + ",\n".join(table) + "\n};\n"
    )
    helpers = [
        f"""\
/*
 * One layer over T <= MAX_CHUNK frames (C, W, K, gated are constants at each call site):
 * a = conv(z) + mix x; u = act(a); z += res(u); acc (+)= u.
 */
EDGEFX_INLINE void {p}_layer_block(const {p}_layer *L, {p}_state *s, size_t l, const float *x, float *z, float *a,
                                  float *acc, size_t T, int fast, size_t C, size_t W, size_t K, int gated)
{{
    size_t t, j;
    edgefx_conv1d_block_f32(L->conv_w, L->conv_b, L->mix, K, L->dilation, C, W, s->hist + L->hist_offset,
                            L->ring_frames, &s->pos[l], z, x, a, T);
    if (gated) {{
        for (t = 0; t < T; t++) {{
            float *at = a + t * W;
            if (fast) {{
                edgefx_tanh_fast_vec_f32(at, C);
                edgefx_sigmoid_fast_vec_f32(at + C, C);
            }} else {{
                edgefx_tanh_vec_f32(at, C);
                edgefx_sigmoid_vec_f32(at + C, C);
            }}
            for (j = 0; j < C; j++) at[j] = at[j] * at[C + j];
        }}
    }} else if (fast) {{
        edgefx_tanh_fast_vec_f32(a, T * C);
    }} else {{
        edgefx_tanh_vec_f32(a, T * C);
    }}
    edgefx_dense_cm_block_f32(L->res_w, L->res_b, a, W, C, z, C, T, 1);
    if (l == 0u) {{
        for (t = 0; t < T; t++)
            for (j = 0; j < C; j++) acc[t * C + j] = a[t * W + j];
    }} else {{
        for (t = 0; t < T; t++)
            for (j = 0; j < C; j++) acc[t * C + j] = acc[t * C + j] + a[t * W + j];
    }}
}}

"""
    ]
    li = 0
    for ai, arr in enumerate(arrays):
        spec = arr.spec
        ch, nl = spec["channels"], len(arr.layers)
        width = 2 * ch if spec["gated"] else ch
        helpers.append(
            f"/* layer array {ai}: {nl} layers of {ch} channels, kernel {spec['kernel_size']}"
            f"{', gated' if spec['gated'] else ''} */\n"
            f"static void {p}_array{ai}({p}_state *s, const float *x, float *z, float *a, float *acc, size_t T, "
            f"int fast)\n{{\n    size_t l;\n"
            f"    for (l = {li}u; l < {li + nl}u; l++)\n"
            f"        {p}_layer_block(&{p}_layers[l], s, l, x, z, a, acc, T, fast, {ch}u, {width}u, "
            f"{spec['kernel_size']}u, {int(spec['gated'])});\n}}\n\n"
        )
        li += nl
    # wiring: chunks of at most MAX_CHUNK samples, layer array by layer array
    n = mc * widest
    lines = [
        f"    float x[{mc}], z[{n}], a[{n}], acc[{n}], tmp[{n}];",
        "    size_t done, t, j;",
        f"    for (done = 0; done < n; done += {mc}u) {{",
        f"        const size_t T = (n - done < {mc}u) ? n - done : {mc}u;",
        "        for (t = 0; t < T; t++) x[t] = in[done + t];",
    ]
    for ai, arr in enumerate(arrays):
        spec = arr.spec
        cin, ch, hs = spec["input_size"], spec["channels"], spec["head_size"]
        hb = f"{p}_a{ai}_head_b" if arr.head_rechannel.bias is not None else "NULL"
        lines.append(f"        /* layer array {ai}: {cin} -> {ch} channels, head {ch} -> {hs} */")
        if ai == 0:
            lines.append(f"        edgefx_dense_cm_block_f32({p}_a0_rechannel, NULL, x, 1, 1, z, {ch}, T, 0);")
        else:
            lines.append(
                f"        edgefx_dense_cm_block_f32({p}_a{ai}_rechannel, NULL, z, {cin}, {cin}, tmp, {ch}, T, 0);"
            )
            lines.append(f"        for (j = 0; j < T * {ch}u; j++) z[j] = tmp[j];")
        lines.append(f"        {p}_array{ai}(s, x, z, a, acc, T, fast);")
        lines.append(f"        edgefx_dense_cm_block_f32({p}_a{ai}_head_w, {hb}, acc, {ch}, {ch}, tmp, {hs}, T, 0);")
        lines.append(f"        for (j = 0; j < T * {hs}u; j++) acc[j] = tmp[j];")
    lines.append(f"        for (t = 0; t < T; t++) out[done + t] = {c_float(model.head_scale)} * acc[t];")
    lines.append("    }")
    reset = (
        f"    size_t i;\n    for (i = 0; i < {max(total_hist, 1)}u; i++) s->hist[i] = 0.0f;\n"
        f"    for (i = 0; i < {len(layers)}u; i++) s->pos[i] = 0u;\n"
    )
    desc = [
        f"TCN ({model.preset or 'custom'}): {len(arrays)} layer arrays, {len(layers)} layers, "
        f"receptive field {model.receptive_field} samples, head scale {model.head_scale:g}"
    ]
    for ai, arr in enumerate(arrays):
        s_ = arr.spec
        desc.append(
            f"  array {ai}: {s_['channels']} channels, kernel {s_['kernel_size']}, dilations "
            f"{list(s_['dilations'])}, {'gated' if s_['gated'] else 'tanh'}"
        )
    return ModelCode(
        arch="tcn",
        includes=["edgefx_conv1d.h", "edgefx_dense.h", "edgefx_activations.h"],
        runtime=RUNTIME_FILES["tcn"],
        state_fields=[("float", "hist", max(total_hist, 1)), ("uint32_t", "pos", len(layers))],
        weights=weights,
        body="\n".join(lines) + "\n",
        helpers="".join(helpers),
        reset_body=reset,
        weight_floats=floats + 1,
        describe=desc,
    )
