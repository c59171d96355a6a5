/*
 * edgefx_conv1d.h - causal dilated 1-D convolution, one sample at a time, with its input
 * history in a ring buffer.
 *
 *   y[o] = b[o] + sum_{tap=0}^{K-1} sum_c W[tap][c][o] * x_{t - (K-1-tap) d}[c]
 *
 * (tap K-1 is the current sample; the sum runs over taps, then channels, ascending).
 * Layout: W [K][C_in][C_out]: for each (tap, input channel), the weights to all outputs are
 * contiguous (column-major per tap). History: the last (K-1) d input frames, C_in floats each,
 * in a ring of EDGEFX_CONV1D_HIST_LEN(K, d, C_in) floats plus one uint32 write position, both
 * caller-owned, zero at rest (a causal convolution of silence).
 */
#ifndef EDGEFX_CONV1D_H
#define EDGEFX_CONV1D_H

#include "edgefx_types.h"

#define EDGEFX_CONV1D_HIST_LEN(K, d, C_in) (((K) - 1u) * (d) * (C_in))

/* Constant parameters (may live in flash). */
typedef struct {
    size_t in_ch;         /* C_in */
    size_t out_ch;        /* C_out */
    size_t kernel;        /* K >= 1 */
    size_t dilation;      /* d >= 1 */
    const float *w;       /* [K * C_in * C_out] */
    const float *b;       /* [C_out] or NULL */
} edgefx_conv1d_f32;

void edgefx_conv1d_init_f32(edgefx_conv1d_f32 *S, size_t in_ch, size_t out_ch, size_t kernel, size_t dilation,
                            const float *w, const float *b);

/* Zero the history and its write position. */
void edgefx_conv1d_reset_f32(const edgefx_conv1d_f32 *S, float *hist, uint32_t *pos);

/* One output frame y[C_out] from the current input frame x[C_in]; x then enters the history. */
void edgefx_conv1d_step_f32(const edgefx_conv1d_f32 *S, float *hist, uint32_t *pos, const float *x, float *y);

/* n frames: in [n][C_in] -> out [n][C_out] (in and out must not overlap). */
void edgefx_conv1d_process_f32(const edgefx_conv1d_f32 *S, float *hist, uint32_t *pos, const float *in,
                               float *out, size_t n);

/*
 * Block processing (used by the generated TCNs): the input frames of a block go into a ring of
 * R >= (K-1) d + T frames first, then every output frame reads its K tap frames straight from the
 * ring (each tap's frames are contiguous until the ring wraps, so the block is split into runs).
 * Per output lane the operations are, in this order:
 *
 *   y = b[o];  for tap = 0..K-1: for c = 0..C-1: y = y + W[tap][c][o] * x_tap[c];  y = y + mix[o] * x
 *
 * the same on the SIMD and the plain C99 paths (lanes are independent accumulators).
 */
#define EDGEFX_CONV1D_MAX_TAPS 16u

/* One output frame: y[o] = (b[o] + sum_tap sum_c W[tap][c][o] src[tap][off + c]) + mix[o] x. */
EDGEFX_INLINE void edgefx_conv1d_frame_f32(const float *EDGEFX_RESTRICT W, const float *EDGEFX_RESTRICT b,
                                           const float *EDGEFX_RESTRICT mix, const float *const *src, size_t off,
                                           size_t K, size_t C, size_t O, float x, float *EDGEFX_RESTRICT y)
{
    size_t o = 0, tap, c;
#ifdef EDGEFX_SIMD_V8
    for (; o + 16 <= O; o += 16) {
        edgefx_v8f t0 = edgefx_v8f_load(b + o), t1 = edgefx_v8f_load(b + o + 8);
        for (tap = 0; tap < K; tap++) {
            const float *EDGEFX_RESTRICT xs = src[tap] + off;
            const float *EDGEFX_RESTRICT w = W + tap * C * O + o;
            EDGEFX_UNROLL
            for (c = 0; c < C; c++) {
                const edgefx_v8f xi = edgefx_v8f_dup(xs[c]);
                t0 = t0 + edgefx_v8f_load(w + c * O) * xi;
                t1 = t1 + edgefx_v8f_load(w + c * O + 8) * xi;
            }
        }
        t0 = t0 + edgefx_v8f_load(mix + o) * edgefx_v8f_dup(x);
        t1 = t1 + edgefx_v8f_load(mix + o + 8) * edgefx_v8f_dup(x);
        edgefx_v8f_store(y + o, t0);
        edgefx_v8f_store(y + o + 8, t1);
    }
    for (; o + 8 <= O; o += 8) {
        edgefx_v8f t0 = edgefx_v8f_load(b + o);
        for (tap = 0; tap < K; tap++) {
            const float *EDGEFX_RESTRICT xs = src[tap] + off;
            const float *EDGEFX_RESTRICT w = W + tap * C * O + o;
            EDGEFX_UNROLL
            for (c = 0; c < C; c++) t0 = t0 + edgefx_v8f_load(w + c * O) * edgefx_v8f_dup(xs[c]);
        }
        t0 = t0 + edgefx_v8f_load(mix + o) * edgefx_v8f_dup(x);
        edgefx_v8f_store(y + o, t0);
    }
#endif
#ifdef EDGEFX_SIMD_V4
    for (; o + 16 <= O; o += 16) {
        edgefx_v4f t0 = edgefx_v4f_load(b + o), t1 = edgefx_v4f_load(b + o + 4);
        edgefx_v4f t2 = edgefx_v4f_load(b + o + 8), t3 = edgefx_v4f_load(b + o + 12);
        const edgefx_v4f xm = edgefx_v4f_dup(x);
        for (tap = 0; tap < K; tap++) {
            const float *EDGEFX_RESTRICT xs = src[tap] + off;
            const float *EDGEFX_RESTRICT w = W + tap * C * O + o;
            EDGEFX_UNROLL
            for (c = 0; c < C; c++) {
                const edgefx_v4f xi = edgefx_v4f_dup(xs[c]);
                t0 = t0 + edgefx_v4f_load(w + c * O) * xi;
                t1 = t1 + edgefx_v4f_load(w + c * O + 4) * xi;
                t2 = t2 + edgefx_v4f_load(w + c * O + 8) * xi;
                t3 = t3 + edgefx_v4f_load(w + c * O + 12) * xi;
            }
        }
        edgefx_v4f_store(y + o, t0 + edgefx_v4f_load(mix + o) * xm);
        edgefx_v4f_store(y + o + 4, t1 + edgefx_v4f_load(mix + o + 4) * xm);
        edgefx_v4f_store(y + o + 8, t2 + edgefx_v4f_load(mix + o + 8) * xm);
        edgefx_v4f_store(y + o + 12, t3 + edgefx_v4f_load(mix + o + 12) * xm);
    }
    for (; o + 8 <= O; o += 8) {
        edgefx_v4f t0 = edgefx_v4f_load(b + o), t1 = edgefx_v4f_load(b + o + 4);
        for (tap = 0; tap < K; tap++) {
            const float *EDGEFX_RESTRICT xs = src[tap] + off;
            const float *EDGEFX_RESTRICT w = W + tap * C * O + o;
            EDGEFX_UNROLL
            for (c = 0; c < C; c++) {
                const edgefx_v4f xi = edgefx_v4f_dup(xs[c]);
                t0 = t0 + edgefx_v4f_load(w + c * O) * xi;
                t1 = t1 + edgefx_v4f_load(w + c * O + 4) * xi;
            }
        }
        t0 = t0 + edgefx_v4f_load(mix + o) * edgefx_v4f_dup(x);
        t1 = t1 + edgefx_v4f_load(mix + o + 4) * edgefx_v4f_dup(x);
        edgefx_v4f_store(y + o, t0);
        edgefx_v4f_store(y + o + 4, t1);
    }
    for (; o + 4 <= O; o += 4) {
        edgefx_v4f t0 = edgefx_v4f_load(b + o);
        for (tap = 0; tap < K; tap++) {
            const float *EDGEFX_RESTRICT xs = src[tap] + off;
            const float *EDGEFX_RESTRICT w = W + tap * C * O + o;
            EDGEFX_UNROLL
            for (c = 0; c < C; c++) t0 = t0 + edgefx_v4f_load(w + c * O) * edgefx_v4f_dup(xs[c]);
        }
        t0 = t0 + edgefx_v4f_load(mix + o) * edgefx_v4f_dup(x);
        edgefx_v4f_store(y + o, t0);
    }
#endif
    for (; o + 4 <= O; o += 4) {
        float t0 = b[o], t1 = b[o + 1], t2 = b[o + 2], t3 = b[o + 3];
        for (tap = 0; tap < K; tap++) {
            const float *EDGEFX_RESTRICT xs = src[tap] + off;
            const float *EDGEFX_RESTRICT w = W + tap * C * O + o;
            EDGEFX_UNROLL
            for (c = 0; c < C; c++) {
                const float xi = xs[c];
                t0 += w[c * O] * xi;
                t1 += w[c * O + 1] * xi;
                t2 += w[c * O + 2] * xi;
                t3 += w[c * O + 3] * xi;
            }
        }
        y[o] = t0 + mix[o] * x;
        y[o + 1] = t1 + mix[o + 1] * x;
        y[o + 2] = t2 + mix[o + 2] * x;
        y[o + 3] = t3 + mix[o + 3] * x;
    }
    for (; o < O; o++) {
        float t0 = b[o];
        for (tap = 0; tap < K; tap++) {
            const float *EDGEFX_RESTRICT xs = src[tap] + off;
            const float *EDGEFX_RESTRICT w = W + tap * C * O + o;
            EDGEFX_UNROLL
            for (c = 0; c < C; c++) t0 += w[c * O] * xs[c];
        }
        y[o] = t0 + mix[o] * x;
    }
}

/*
 * T frames z [T][C] (with the conditioning samples x [T]) -> y [T][O]. ring holds R frames of C
 * floats, R >= (K-1) d + T; *pos is the slot the next frame goes to. b and mix are required.
 */
EDGEFX_INLINE void edgefx_conv1d_block_f32(const float *W, const float *b, const float *mix, size_t K, size_t d,
                                           size_t C, size_t O, float *ring, size_t R, uint32_t *pos,
                                           const float *z, const float *x, float *y, size_t T)
{
    const float *src[EDGEFX_CONV1D_MAX_TAPS];
    size_t idx[EDGEFX_CONV1D_MAX_TAPS];
    size_t p = *pos, t, tap, c, j;
    for (tap = 0; tap < K; tap++) idx[tap] = (p + R - (K - 1u - tap) * d) % R;
    for (t = 0; t < T; t++) {
        float *EDGEFX_RESTRICT dst = ring + p * C;
        for (c = 0; c < C; c++) dst[c] = z[t * C + c];
        p = (p + 1u == R) ? 0u : p + 1u;
    }
    *pos = (uint32_t)p;
    for (t = 0; t < T;) {
        size_t run = T - t;
        for (tap = 0; tap < K; tap++) {
            const size_t room = R - idx[tap];
            if (room < run) run = room;
            src[tap] = ring + idx[tap] * C;
        }
        for (j = 0; j < run; j++) edgefx_conv1d_frame_f32(W, b, mix, src, j * C, K, C, O, x[t + j], y + (t + j) * O);
        for (tap = 0; tap < K; tap++) {
            idx[tap] += run;
            if (idx[tap] == R) idx[tap] = 0u;
        }
        t += run;
    }
}

#endif /* EDGEFX_CONV1D_H */
