"""The hand-written kernels in firmware/runtime, one test per layer kind, against NumPy/PyTorch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from edgefx.codegen.activations import ACTIVATION_ERRORS, grid, measure, reference
from edgefx.codegen.generate import FIRMWARE_RUNTIME
from edgefx.codegen.samples import realistic
from edgefx.models import RecurrentModel
from edgefx.toolchains import WARNING_FLAGS, get_toolchain

cffi = pytest.importorskip("cffi")

CDEF = """
typedef struct { size_t hidden; const float *w; const float *b; const float *head_w; float head_b; int skip; }
    edgefx_lstm_f32;
typedef struct { size_t hidden; const float *w_hh; const float *b_hh; const float *w_ih; const float *b_ih;
    const float *head_w; float head_b; int skip; } edgefx_gru_f32;
typedef struct { size_t in_ch; size_t out_ch; size_t kernel; size_t dilation; const float *w; const float *b; }
    edgefx_conv1d_f32;
void edgefx_tanh_block_f32(const float *in, float *out, size_t n);
void edgefx_sigmoid_block_f32(const float *in, float *out, size_t n);
void edgefx_tanh_fast_block_f32(const float *in, float *out, size_t n);
void edgefx_sigmoid_fast_block_f32(const float *in, float *out, size_t n);
void edgefx_tanh_frac_block_f32(const float *in, float *num, float *den, size_t n);
void edgefx_sigmoid_frac_block_f32(const float *in, float *num, float *den, size_t n);
void edgefx_dense_f32(const float *W, const float *b, const float *x, float *y, size_t n_in, size_t n_out);
void edgefx_dense_add_f32(const float *W, const float *b, const float *x, float *y, size_t n_in, size_t n_out);
void edgefx_gemv_cm_f32(const float *W, const float *x, float *acc, size_t n_in, size_t n_out);
void edgefx_lstm_init_f32(edgefx_lstm_f32 *S, size_t hidden, const float *w, const float *b,
                          const float *head_w, float head_b, int skip);
void edgefx_lstm_reset_f32(const edgefx_lstm_f32 *S, float *state);
void edgefx_lstm_process_f32(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n);
void edgefx_lstm_process_fast_f32(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n);
void edgefx_gru_init_f32(edgefx_gru_f32 *S, size_t hidden, const float *w_hh, const float *b_hh,
                         const float *w_ih, const float *b_ih, const float *head_w, float head_b, int skip);
void edgefx_gru_reset_f32(const edgefx_gru_f32 *S, float *state);
void edgefx_gru_process_f32(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n);
void edgefx_conv1d_init_f32(edgefx_conv1d_f32 *S, size_t in_ch, size_t out_ch, size_t kernel, size_t dilation,
                            const float *w, const float *b);
void edgefx_conv1d_reset_f32(const edgefx_conv1d_f32 *S, float *hist, uint32_t *pos);
void edgefx_conv1d_process_f32(const edgefx_conv1d_f32 *S, float *hist, uint32_t *pos, const float *in,
                               float *out, size_t n);
"""


@pytest.fixture(scope="module")
def rt(tmp_path_factory):
    """All runtime kernels in one shared library (built warning-free)."""
    tc = get_toolchain("host")
    if not tc.available():
        pytest.skip("no host C compiler (gcc)")
    out = tmp_path_factory.mktemp("rt") / "libedgefx_rt.so"
    sources = sorted(Path(FIRMWARE_RUNTIME).glob("*.c"))
    tc.compile(sources, out, extra_flags=("-fPIC", "-shared", *WARNING_FLAGS, "-pedantic"))
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    return ffi, ffi.dlopen(str(out))


def fbuf(ffi, a: np.ndarray):
    return ffi.from_buffer("float[]", a)


def f32(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


# --- activations ------------------------------------------------------------------------------
def test_activation_errors_hold_on_dense_grid(rt):
    ffi, lib = rt
    got = measure(lib, ffi, grid())
    for variant, kinds in ACTIVATION_ERRORS.items():
        for kind, figures in kinds.items():
            for key, bound in figures.items():
                # the recorded figure is the measured maximum, not a loose ceiling
                assert 0.5 * bound <= got[variant][kind][key] <= bound, (variant, kind, key, got[variant][kind][key])
    # the exact variants really are a few ulp
    assert got["exact"]["tanh"]["max_ulp"] < 4 and got["exact"]["sigmoid"]["max_ulp"] < 4


def test_activation_special_values(rt):
    ffi, lib = rt
    x = f32([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 88.0, -88.0, -103.0, -120.0, 1e30])
    y = np.empty_like(x)
    lib.edgefx_tanh_block_f32(fbuf(ffi, x), fbuf(ffi, y), x.size)
    assert y[0] == 0 and np.signbit(y[1]) and y[2] == 1 and y[3] == -1 and np.isnan(y[4])
    assert y[5] == np.float32(1e-40) and y[6] == np.float32(-1e-40) and y[7] == 1 and y[8] == -1
    lib.edgefx_sigmoid_block_f32(fbuf(ffi, x), fbuf(ffi, y), x.size)
    assert y[0] == 0.5 and y[2] == 1 and y[3] == 0 and np.isnan(y[4]) and y[7] == 1
    assert y[9] == np.float32(np.exp(-103.0)) and y[10] == 0  # subnormal result rounded once; underflow
    for fn in (lib.edgefx_tanh_fast_block_f32, lib.edgefx_sigmoid_fast_block_f32):
        fn(fbuf(ffi, x), fbuf(ffi, y), x.size)
        finite = ~np.isnan(x)
        assert np.all(np.abs(y[finite]) <= 1)


def test_fraction_forms_are_the_fast_activations_before_the_division(rt):
    """n / q (one float32 division, as the LSTM cell's) is the fast function up to its output clamp and
    a rounding, and stays below 1 in magnitude: the LSTM's fast cell and the GRU's fast update rely on both."""
    ffi, lib = rt
    x = grid()
    x = x[np.isfinite(x)]
    num, den, fast = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    for frac, fn, kind in ((lib.edgefx_tanh_frac_block_f32, lib.edgefx_tanh_fast_block_f32, "tanh"),
                           (lib.edgefx_sigmoid_frac_block_f32, lib.edgefx_sigmoid_fast_block_f32, "sigmoid")):
        frac(fbuf(ffi, x), fbuf(ffi, num), fbuf(ffi, den), x.size)
        fn(fbuf(ffi, x), fbuf(ffi, fast), x.size)
        assert np.all(den >= 1) and np.all(den < 91)  # far from overflow when a cell multiplies three
        quotient = num / den  # float32 division, correctly rounded like C's
        assert np.max(np.abs(quotient)) < 1, kind
        np.testing.assert_allclose(quotient, fast, rtol=0, atol=4e-7, err_msg=kind)
        bound = ACTIVATION_ERRORS["fast"][kind]["max_abs"]
        assert np.max(np.abs(quotient.astype(np.float64) - reference(kind, x))) <= bound * 1.05, kind
        # NaN clamps to the upper bound: the same fraction as the largest finite input
        edge = f32([np.nan, 1e30])
        n2, d2 = np.empty_like(edge), np.empty_like(edge)
        frac(fbuf(ffi, edge), fbuf(ffi, n2), fbuf(ffi, d2), 2)
        assert n2[0] == n2[1] and d2[0] == d2[1], kind


# --- dense ------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_in,n_out", [(1, 1), (3, 5), (16, 4), (17, 16), (33, 37), (8, 64)])
def test_dense_kernels(rt, n_in, n_out):
    ffi, lib = rt
    rng = np.random.default_rng(n_in * 100 + n_out)
    W, b, x = f32(rng.standard_normal((n_out, n_in))), f32(rng.standard_normal(n_out)), f32(rng.standard_normal(n_in))
    ref = W.astype(np.float64) @ x + b
    y = np.empty(n_out, np.float32)
    lib.edgefx_dense_f32(fbuf(ffi, W), fbuf(ffi, b), fbuf(ffi, x), fbuf(ffi, y), n_in, n_out)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    lib.edgefx_dense_f32(fbuf(ffi, W), ffi.NULL, fbuf(ffi, x), fbuf(ffi, y), n_in, n_out)
    np.testing.assert_allclose(y, ref - b, rtol=1e-5, atol=1e-5)
    y0 = f32(rng.standard_normal(n_out))
    y = y0.copy()
    lib.edgefx_dense_add_f32(fbuf(ffi, W), fbuf(ffi, b), fbuf(ffi, x), fbuf(ffi, y), n_in, n_out)
    np.testing.assert_allclose(y, y0 + ref, rtol=1e-5, atol=1e-5)
    # column-major accumulate (all tile paths: 16, 4, 1)
    Wc = f32(W.T)
    acc = y0.copy()
    lib.edgefx_gemv_cm_f32(fbuf(ffi, Wc), fbuf(ffi, x), fbuf(ffi, acc), n_in, n_out)
    np.testing.assert_allclose(acc, y0 + W.astype(np.float64) @ x, rtol=1e-5, atol=1e-5)


# --- recurrent cells ------------------------------------------------------------------------------
def _signal(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 48000
    return f32(0.5 * np.sin(2 * np.pi * 110 * t) * np.exp(-t) + 0.05 * rng.standard_normal(n))


@pytest.mark.parametrize("hidden", [1, 5, 16, 24])
def test_lstm_kernel_matches_torch(rt, hidden):
    ffi, lib = rt
    model = realistic(RecurrentModel("lstm", hidden), seed=hidden)
    H = hidden
    r = model.rnn
    w = np.concatenate([r.weight_ih_l0.detach().numpy(), r.weight_hh_l0.detach().numpy()], 1)
    order = np.r_[0 : 2 * H, 3 * H : 4 * H, 2 * H : 3 * H]  # torch i,f,g,o -> kernel i,f,o,g
    w_cm = f32(w[order].T)
    b = f32((r.bias_ih_l0 + r.bias_hh_l0).detach().numpy()[order])
    hw = f32(model.head.weight.detach().numpy().reshape(-1))
    keep = (w_cm, b, hw)
    S = ffi.new("edgefx_lstm_f32 *")
    lib.edgefx_lstm_init_f32(S, H, fbuf(ffi, keep[0]), fbuf(ffi, keep[1]), fbuf(ffi, keep[2]),
                             float(model.head.bias.detach()), 1)
    state = np.zeros(6 * H + 1, np.float32)
    lib.edgefx_lstm_reset_f32(S, fbuf(ffi, state))
    x = _signal(4000, hidden)
    y = np.empty_like(x)
    lib.edgefx_lstm_process_f32(S, fbuf(ffi, state), fbuf(ffi, x), fbuf(ffi, y), x.size)
    with torch.no_grad():
        ref = model.process(torch.from_numpy(x)).numpy()
    assert np.max(np.abs(y - ref)) < 1e-5
    # in place, split in two blocks, fast activations: same up to the approximation
    lib.edgefx_lstm_reset_f32(S, fbuf(ffi, state))
    z = x.copy()
    lib.edgefx_lstm_process_fast_f32(S, fbuf(ffi, state), fbuf(ffi, z[:1234]), fbuf(ffi, z[:1234]), 1234)
    lib.edgefx_lstm_process_fast_f32(S, fbuf(ffi, state), fbuf(ffi, z[1234:]), fbuf(ffi, z[1234:]), x.size - 1234)
    assert np.max(np.abs(z - ref)) < 1e-4


@pytest.mark.parametrize("hidden", [1, 6, 16])
def test_gru_kernel_matches_torch(rt, hidden):
    ffi, lib = rt
    model = realistic(RecurrentModel("gru", hidden), seed=hidden)
    H, r = hidden, model.rnn
    arrays = [
        f32(r.weight_hh_l0.detach().numpy().T), f32(r.bias_hh_l0.detach().numpy()),
        f32(r.weight_ih_l0.detach().numpy().reshape(-1)), f32(r.bias_ih_l0.detach().numpy()),
        f32(model.head.weight.detach().numpy().reshape(-1)),
    ]
    S = ffi.new("edgefx_gru_f32 *")
    lib.edgefx_gru_init_f32(S, H, *[fbuf(ffi, a) for a in arrays], float(model.head.bias.detach()), 1)
    state = np.ones(4 * H, np.float32)
    lib.edgefx_gru_reset_f32(S, fbuf(ffi, state))
    assert not state.any()
    x = _signal(4000, hidden + 1)
    y = np.empty_like(x)
    lib.edgefx_gru_process_f32(S, fbuf(ffi, state), fbuf(ffi, x), fbuf(ffi, y), x.size)
    with torch.no_grad():
        ref = model.process(torch.from_numpy(x)).numpy()
    assert np.max(np.abs(y - ref)) < 1e-5


# --- dilated causal convolution ---------------------------------------------------------------
@pytest.mark.parametrize("cin,cout,k,d", [(1, 4, 3, 1), (4, 8, 3, 7), (3, 3, 1, 1), (5, 2, 2, 16), (2, 17, 4, 3)])
def test_conv1d_ring_buffer_matches_numpy(rt, cin, cout, k, d):
    ffi, lib = rt
    rng = np.random.default_rng(cin * 1000 + cout * 10 + k + d)
    w_t = rng.standard_normal((cout, cin, k)).astype(np.float32)  # torch layout [out][in][k]
    b = f32(rng.standard_normal(cout))
    w = f32(w_t.transpose(2, 1, 0))                             # kernel layout [k][in][out]
    n = 300
    x = f32(rng.standard_normal((n, cin)))
    hist_len = (k - 1) * d
    padded = np.concatenate([np.zeros((hist_len, cin)), x.astype(np.float64)])
    ref = np.stack([
        b + sum(w_t[:, :, tap].astype(np.float64) @ padded[t + tap * d] for tap in range(k)) for t in range(n)
    ])
    S = ffi.new("edgefx_conv1d_f32 *")
    lib.edgefx_conv1d_init_f32(S, cin, cout, k, d, fbuf(ffi, w), fbuf(ffi, b))
    hist = np.full(max(hist_len * cin, 1), 7.0, np.float32)
    pos = ffi.new("uint32_t *", 5)
    lib.edgefx_conv1d_reset_f32(S, fbuf(ffi, hist), pos)
    assert pos[0] == 0 and (hist_len == 0 or not hist.any())
    y = np.empty((n, cout), np.float32)
    start = 0
    for size in (1, 2, 50, 97, 150):  # streaming in uneven blocks
        lib.edgefx_conv1d_process_f32(S, fbuf(ffi, hist), pos, fbuf(ffi, x[start : start + size]),
                                      fbuf(ffi, y[start : start + size]), size)
        start += size
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
