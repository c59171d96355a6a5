/*
 * edgefx_lstm.c - LSTM block kernel (see edgefx_lstm.h).
 *
 * Per sample, the hidden units are processed in tiles: the 4 gates of a tile's units are
 * accumulated in registers over [x, h] (with AVX 16 units = 8 vectors of 8, then 8 units, or
 * for H = 12, 20, 24, 28, 36, 40 all 4H gates as a flat row of vectors; with 4-lane SIMD 8 units =
 * 8 vectors of 4; 2 units = 8 scalars otherwise; then 4 / 1 unit tails), the tile's
 * activations and cell update follow at once,
 * and its new h enters the head's 4 partial sums. The new h goes to a second buffer (the old
 * h is read by every tile); the two swap roles every sample and h is copied home at the end
 * of the block.
 *
 * Summation order, the same in every path (so SIMD and C99 builds give the same bits):
 *   gate  = fma(w_h1, h1, fma(w_h0, h0, b + w_x x)) ...  (inputs ascending; fma = fused
 *           multiply-add, one rounding: edgefx_fma_f32 and its vector forms)
 *   c'    = f c + i g,  h' = o tanh(c')
 *   y     = ((s0 + s1) + (s2 + s3)) + head_b,  s_l = sum over j = l (mod 4), j ascending
 *
 * The fast cell (edgefx_lstm_fast_c / _h in edgefx_activations.h) divides twice per unit instead
 * of five times (on an x86-64 host a division took the multiply-add pipes about two multiply-adds'
 * time in a one-off timing, and a Cortex-M7 division takes 14 cycles): with the fraction forms,
 * sigmoid(f) = Nf / Qf and so on,
 *   c'    = ((Nf c) (Qi Qg) + (Ni Ng) Qf) / ((Qi Qg) Qf)
 *   h'    = (No Nc) / (Qo Qc),  Nc / Qc the fraction of tanh(c')
 * (Q < 91, so the products stay far from overflow. Against exact math the fast variant's ESR is
 * what it was with five divisions: 1.45e-9 on the shipped LSTM-16.)
 */
#include "edgefx_lstm.h"
#include "edgefx_activations.h"
#include "edgefx_dense.h"

void edgefx_lstm_init_f32(edgefx_lstm_f32 *S, size_t hidden, const float *w, const float *b,
                          const float *head_w, float head_b, int skip)
{
    S->hidden = hidden;
    S->w = w;
    S->b = b;
    S->head_w = head_w;
    S->head_b = head_b;
    S->skip = skip;
}

void edgefx_lstm_reset_f32(const edgefx_lstm_f32 *S, float *state)
{
    size_t i;
    for (i = 0; i < EDGEFX_LSTM_STATE_LEN(S->hidden); i++) state[i] = 0.0f;
}

/*
 * Cell update of nu units from their gate sums g = [i(nu) f(nu) o(nu) g~(nu)]: c (in place)
 * and the new h into hn. nu is a compile-time constant at every call, so the loop vectorises.
 */
EDGEFX_INLINE void lstm_cell(const float *EDGEFX_RESTRICT g, float *EDGEFX_RESTRICT c, float *EDGEFX_RESTRICT hn,
                             size_t nu, int fast)
{
    size_t u;
    for (u = 0; u < nu; u++) {
        if (fast) {
            const float cj = edgefx_lstm_fast_c_f32(g[u], g[nu + u], g[3 * nu + u], c[u]);
            c[u] = cj;
            hn[u] = edgefx_lstm_fast_h_f32(g[2 * nu + u], cj);
        } else {
            const float ig = edgefx_sigmoid_f32(g[u]);
            const float fg = edgefx_sigmoid_f32(g[nu + u]);
            const float og = edgefx_sigmoid_f32(g[2 * nu + u]);
            const float gg = edgefx_tanh_f32(g[3 * nu + u]);
            const float cj = fg * c[u] + ig * gg;
            c[u] = cj;
            hn[u] = og * edgefx_tanh_f32(cj);
        }
    }
}

/* Gate sums of nu units starting at j0, scalar: g[q nu + u] for gate q, unit u. */
EDGEFX_INLINE void lstm_gates_scalar(const edgefx_lstm_f32 *S, const float *EDGEFX_RESTRICT h, float x, size_t j0,
                                     size_t nu, float *EDGEFX_RESTRICT g)
{
    const size_t H = S->hidden, G = 4 * H;
    const float *EDGEFX_RESTRICT w = S->w;
    float acc[8];
    size_t q, u, k;
    for (q = 0; q < 4; q++)
        for (u = 0; u < nu; u++) acc[q * nu + u] = S->b[q * H + j0 + u] + w[q * H + j0 + u] * x;
    for (k = 0; k < H; k++) {
        const float hk = h[k];
        const float *EDGEFX_RESTRICT wk = w + (k + 1) * G + j0;
        for (q = 0; q < 4; q++)
            for (u = 0; u < nu; u++) acc[q * nu + u] = edgefx_fma_f32(wk[q * H + u], hk, acc[q * nu + u]);
    }
    for (u = 0; u < 4 * nu; u++) g[u] = acc[u];
}

/* Gate-sum scratch (stack) per sample: with AVX, a 16-unit tile or a flat row of 4H <= 160;
 * otherwise one 8-unit tile of 4-lane vectors. */
#ifdef EDGEFX_SIMD_V8
#define LSTM_GATE_SCRATCH 160
#else
#define LSTM_GATE_SCRATCH 32
#endif

#ifdef EDGEFX_SIMD_V4
/* One input k of a tile: acc += w[k][gates] * h[k] (8 or 4 accumulators a0..). */
#define LSTM_STEP8(wk, hs)                                               \
    do {                                                                 \
        const edgefx_v4f hk_ = edgefx_v4f_dup(hs);                       \
        a0 = edgefx_v4f_fma(edgefx_v4f_load(wk), hk_, a0);               \
        a1 = edgefx_v4f_fma(edgefx_v4f_load((wk) + 4), hk_, a1);         \
        a2 = edgefx_v4f_fma(edgefx_v4f_load((wk) + H), hk_, a2);         \
        a3 = edgefx_v4f_fma(edgefx_v4f_load((wk) + H + 4), hk_, a3);     \
        a4 = edgefx_v4f_fma(edgefx_v4f_load((wk) + 2 * H), hk_, a4);     \
        a5 = edgefx_v4f_fma(edgefx_v4f_load((wk) + 2 * H + 4), hk_, a5); \
        a6 = edgefx_v4f_fma(edgefx_v4f_load((wk) + 3 * H), hk_, a6);     \
        a7 = edgefx_v4f_fma(edgefx_v4f_load((wk) + 3 * H + 4), hk_, a7); \
    } while (0)
#define LSTM_STEP4(wk, hs)                                           \
    do {                                                             \
        const edgefx_v4f hk_ = edgefx_v4f_dup(hs);                   \
        a0 = edgefx_v4f_fma(edgefx_v4f_load(wk), hk_, a0);           \
        a1 = edgefx_v4f_fma(edgefx_v4f_load((wk) + H), hk_, a1);     \
        a2 = edgefx_v4f_fma(edgefx_v4f_load((wk) + 2 * H), hk_, a2); \
        a3 = edgefx_v4f_fma(edgefx_v4f_load((wk) + 3 * H), hk_, a3); \
    } while (0)

/* Fast cells of 4 units from their gate vectors: c (in place) and the new h into hn. */
EDGEFX_INLINE void lstm_cell4_fast_v4(edgefx_v4f i, edgefx_v4f f, edgefx_v4f o, edgefx_v4f g, float *EDGEFX_RESTRICT c,
                                      float *EDGEFX_RESTRICT hn)
{
    const edgefx_v4f cn = edgefx_lstm_fast_c_v4f(i, f, g, edgefx_v4f_load(c));
    edgefx_v4f_store(c, cn);
    edgefx_v4f_store(hn, edgefx_lstm_fast_h_v4f(o, cn));
}

#ifdef EDGEFX_SIMD_V8
/* The fast c' = sigmoid(f) c + sigmoid(i) tanh(g), stored to c and returned. */
EDGEFX_INLINE edgefx_v8f lstm_c_fast_v8(edgefx_v8f i, edgefx_v8f f, edgefx_v8f g, float *EDGEFX_RESTRICT c)
{
    const edgefx_v8f cn = edgefx_lstm_fast_c_v8f(i, f, g, edgefx_v8f_load(c));
    edgefx_v8f_store(c, cn);
    return cn;
}

/* Fast cells of 8 units from their gate vectors: c (in place) and the new h into hn. */
EDGEFX_INLINE void lstm_cell8_fast_v8(edgefx_v8f i, edgefx_v8f f, edgefx_v8f o, edgefx_v8f g, float *EDGEFX_RESTRICT c,
                                      float *EDGEFX_RESTRICT hn)
{
    edgefx_v8f_store(hn, edgefx_lstm_fast_h_v8f(o, lstm_c_fast_v8(i, f, g, c)));
}

/* Fast cells of 16 units from their 8 gate vectors (i, i', f, f', o, o', g~, g~'): c and hn. */
EDGEFX_INLINE void lstm_cells16_fast_v8(const edgefx_v8f *a, float *EDGEFX_RESTRICT c, float *EDGEFX_RESTRICT hn)
{
    /* both halves' cells first (they are on the path to the next sample), output gates last */
    const edgefx_v8f c0 = lstm_c_fast_v8(a[0], a[2], a[6], c);
    const edgefx_v8f c1 = lstm_c_fast_v8(a[1], a[3], a[7], c + 8);
    edgefx_v8f_store(hn, edgefx_lstm_fast_h_v8f(a[4], c0));
    edgefx_v8f_store(hn + 8, edgefx_lstm_fast_h_v8f(a[5], c1));
}

/*
 * Sizes 16-unit tiles do not fit (H = 12, 20, 24, 28, 36, 40): one sample's 4H gate sums as a flat
 * row of 4H/8 vectors (a row [i f o g~] of w is contiguous, whatever the gate boundaries), in
 * chunks of up to 14 accumulators instead of a 4-accumulator tail; then the cells from g. Same
 * operations per gate as the tiles, so the same bits.
 */
EDGEFX_INLINE void lstm_flat_v8(const edgefx_lstm_f32 *S, const float *EDGEFX_RESTRICT w, size_t H,
                                const float *EDGEFX_RESTRICT h, float x, float *EDGEFX_RESTRICT c,
                                float *EDGEFX_RESTRICT hn, float *EDGEFX_RESTRICT g, edgefx_v4f *sv, int fast)
{
    const size_t G = 4 * H, nv = G / 8, chunks = (nv + 13) / 14, cv = (nv + chunks - 1) / chunks;
    const edgefx_v8f xv = edgefx_v8f_dup(x);
    size_t j, k, q, q0;
    for (q0 = 0; q0 < nv; q0 += cv) { /* chunks of at most 14 vectors, as many as fit in registers */
        const size_t m = nv - q0 < cv ? nv - q0 : cv;
        const float *EDGEFX_RESTRICT wk = w + G + 8 * q0;
        edgefx_v8f a[14];
        for (q = 0; q < m; q++) a[q] = edgefx_v8f_load(S->b + 8 * (q0 + q)) + edgefx_v8f_load(w + 8 * (q0 + q)) * xv;
        for (k = 0; k < H; k++, wk += G) {
            const edgefx_v8f hk = edgefx_v8f_dup(h[k]);
            EDGEFX_UNROLL
            for (q = 0; q < m; q++) a[q] = edgefx_v8f_fma(edgefx_v8f_load(wk + 8 * q), hk, a[q]);
        }
        for (q = 0; q < m; q++) edgefx_v8f_store(g + 8 * (q0 + q), a[q]);
    }
    if (!fast) {
        lstm_cell(g, c, hn, H, 0);
    } else {
        for (j = 0; j + 8 <= H; j += 8)
            lstm_cell8_fast_v8(edgefx_v8f_load(g + j), edgefx_v8f_load(g + H + j), edgefx_v8f_load(g + 2 * H + j),
                               edgefx_v8f_load(g + 3 * H + j), c + j, hn + j);
        if (j < H) /* H = 8 m + 4 */
            lstm_cell4_fast_v4(edgefx_v4f_load(g + j), edgefx_v4f_load(g + H + j), edgefx_v4f_load(g + 2 * H + j),
                               edgefx_v4f_load(g + 3 * H + j), c + j, hn + j);
    }
    *sv = edgefx_v4f_mul_acc(*sv, hn, S->head_w, H);
}

/*
 * The 8-lane (AVX) tiles of one sample: 16 units (the 4 gates x 2 halves = 8 accumulators,
 * as many as the register file holds beside the broadcast), then 8 units (4 accumulators).
 * Returns the first unit not done; the head sums continue in *sv, in the same order as the
 * 4-lane tiles. Same operations per lane as the other paths, so the same bits.
 */
EDGEFX_INLINE size_t lstm_tiles_v8(const edgefx_lstm_f32 *S, const float *EDGEFX_RESTRICT w, size_t H,
                                   const float *EDGEFX_RESTRICT h, float x, float *EDGEFX_RESTRICT c,
                                   float *EDGEFX_RESTRICT hn, float *EDGEFX_RESTRICT g, edgefx_v4f *sv, int fast)
{
    const size_t G = 4 * H;
    const float *EDGEFX_RESTRICT b = S->b;
    const float *EDGEFX_RESTRICT hw = S->head_w;
    const edgefx_v8f xv = edgefx_v8f_dup(x);
    size_t j = 0, k, q;
    if (H % 16 != 0 && H % 4 == 0 && H > 8 && 4 * H <= LSTM_GATE_SCRATCH) {
        lstm_flat_v8(S, w, H, h, x, c, hn, g, sv, fast);
        return H;
    }
    for (; j + 16 <= H; j += 16) {
        edgefx_v8f a[8];
        const float *EDGEFX_RESTRICT wk = w + G + j;
        for (q = 0; q < 8; q++) {
            const size_t o = (q >> 1) * H + j + 8 * (q & 1u);
            a[q] = edgefx_v8f_load(b + o) + edgefx_v8f_load(w + o) * xv;
        }
        EDGEFX_UNROLL8
        for (k = 0; k < H; k++, wk += G) {
            const edgefx_v8f hk = edgefx_v8f_dup(h[k]);
            a[0] = edgefx_v8f_fma(edgefx_v8f_load(wk), hk, a[0]);
            a[1] = edgefx_v8f_fma(edgefx_v8f_load(wk + 8), hk, a[1]);
            a[2] = edgefx_v8f_fma(edgefx_v8f_load(wk + H), hk, a[2]);
            a[3] = edgefx_v8f_fma(edgefx_v8f_load(wk + H + 8), hk, a[3]);
            a[4] = edgefx_v8f_fma(edgefx_v8f_load(wk + 2 * H), hk, a[4]);
            a[5] = edgefx_v8f_fma(edgefx_v8f_load(wk + 2 * H + 8), hk, a[5]);
            a[6] = edgefx_v8f_fma(edgefx_v8f_load(wk + 3 * H), hk, a[6]);
            a[7] = edgefx_v8f_fma(edgefx_v8f_load(wk + 3 * H + 8), hk, a[7]);
        }
        if (fast) {
            /* the cells right after their tile's sums: the next tile's sums (independent) overlap
             * this tile's activation chain (in an exploratory A/B timing this beat summing two
             * tiles before both tiles' cells on LSTM-32) */
            lstm_cells16_fast_v8(a, c + j, hn + j);
        } else {
            for (q = 0; q < 8; q++) edgefx_v8f_store(g + 8 * q, a[q]);
            lstm_cell(g, c + j, hn + j, 16, 0);
        }
        *sv = edgefx_v4f_mul_acc(*sv, hn + j, hw + j, 16);
    }
    for (; j + 8 <= H; j += 8) {
        edgefx_v8f a0 = edgefx_v8f_load(b + j) + edgefx_v8f_load(w + j) * xv;
        edgefx_v8f a1 = edgefx_v8f_load(b + H + j) + edgefx_v8f_load(w + H + j) * xv;
        edgefx_v8f a2 = edgefx_v8f_load(b + 2 * H + j) + edgefx_v8f_load(w + 2 * H + j) * xv;
        edgefx_v8f a3 = edgefx_v8f_load(b + 3 * H + j) + edgefx_v8f_load(w + 3 * H + j) * xv;
        const float *EDGEFX_RESTRICT wk = w + G + j;
        for (k = 0; k < H; k++, wk += G) {
            const edgefx_v8f hk = edgefx_v8f_dup(h[k]);
            a0 = edgefx_v8f_fma(edgefx_v8f_load(wk), hk, a0);
            a1 = edgefx_v8f_fma(edgefx_v8f_load(wk + H), hk, a1);
            a2 = edgefx_v8f_fma(edgefx_v8f_load(wk + 2 * H), hk, a2);
            a3 = edgefx_v8f_fma(edgefx_v8f_load(wk + 3 * H), hk, a3);
        }
        if (fast) {
            lstm_cell8_fast_v8(a0, a1, a2, a3, c + j, hn + j);
        } else {
            edgefx_v8f_store(g, a0);
            edgefx_v8f_store(g + 8, a1);
            edgefx_v8f_store(g + 16, a2);
            edgefx_v8f_store(g + 24, a3);
            lstm_cell(g, c + j, hn + j, 8, 0);
        }
        *sv = edgefx_v4f_mul_acc(*sv, hn + j, hw + j, 8);
    }
    return j;
}
#endif

/*
 * The SIMD tiles of one sample (units [0, H) in tiles of 8, then 4); returns the first unit
 * not done. The head partial sums go to *sv_out.
 */
EDGEFX_INLINE size_t lstm_tiles_v4(const edgefx_lstm_f32 *S, const float *EDGEFX_RESTRICT w, size_t H,
                                   const float *EDGEFX_RESTRICT h, float x, float *EDGEFX_RESTRICT c,
                                   float *EDGEFX_RESTRICT hn, float *EDGEFX_RESTRICT g, edgefx_v4f *sv_out, int fast)
{
    const size_t G = 4 * H;
    const float *EDGEFX_RESTRICT b = S->b;
    const float *EDGEFX_RESTRICT hw = S->head_w;
    const edgefx_v4f xv = edgefx_v4f_dup(x);
    edgefx_v4f sv = edgefx_v4f_dup(0.0f);
    size_t j = 0, k;
#ifdef EDGEFX_SIMD_V8
    j = lstm_tiles_v8(S, w, H, h, x, c, hn, g, &sv, fast);
#endif
    for (; j + 8 <= H; j += 8) {
        edgefx_v4f a0 = edgefx_v4f_load(b + j) + edgefx_v4f_load(w + j) * xv;
        edgefx_v4f a1 = edgefx_v4f_load(b + j + 4) + edgefx_v4f_load(w + j + 4) * xv;
        edgefx_v4f a2 = edgefx_v4f_load(b + H + j) + edgefx_v4f_load(w + H + j) * xv;
        edgefx_v4f a3 = edgefx_v4f_load(b + H + j + 4) + edgefx_v4f_load(w + H + j + 4) * xv;
        edgefx_v4f a4 = edgefx_v4f_load(b + 2 * H + j) + edgefx_v4f_load(w + 2 * H + j) * xv;
        edgefx_v4f a5 = edgefx_v4f_load(b + 2 * H + j + 4) + edgefx_v4f_load(w + 2 * H + j + 4) * xv;
        edgefx_v4f a6 = edgefx_v4f_load(b + 3 * H + j) + edgefx_v4f_load(w + 3 * H + j) * xv;
        edgefx_v4f a7 = edgefx_v4f_load(b + 3 * H + j + 4) + edgefx_v4f_load(w + 3 * H + j + 4) * xv;
        const float *EDGEFX_RESTRICT wk = w + G + j;
        for (k = 0; k < H; k++, wk += G) LSTM_STEP8(wk, h[k]);
        if (fast) {
            /* activations straight from the accumulators */
            const edgefx_v4f c0 = edgefx_lstm_fast_c_v4f(a0, a2, a6, edgefx_v4f_load(c + j));
            const edgefx_v4f c1 = edgefx_lstm_fast_c_v4f(a1, a3, a7, edgefx_v4f_load(c + j + 4));
            const edgefx_v4f h0 = edgefx_lstm_fast_h_v4f(a4, c0);
            const edgefx_v4f h1 = edgefx_lstm_fast_h_v4f(a5, c1);
            edgefx_v4f_store(c + j, c0);
            edgefx_v4f_store(c + j + 4, c1);
            edgefx_v4f_store(hn + j, h0);
            edgefx_v4f_store(hn + j + 4, h1);
        } else {
            edgefx_v4f_store(g, a0);
            edgefx_v4f_store(g + 4, a1);
            edgefx_v4f_store(g + 8, a2);
            edgefx_v4f_store(g + 12, a3);
            edgefx_v4f_store(g + 16, a4);
            edgefx_v4f_store(g + 20, a5);
            edgefx_v4f_store(g + 24, a6);
            edgefx_v4f_store(g + 28, a7);
            lstm_cell(g, c + j, hn + j, 8, 0);
        }
        sv = edgefx_v4f_mul_acc(sv, hn + j, hw + j, 8);
    }
    for (; j + 4 <= H; j += 4) {
        edgefx_v4f a0 = edgefx_v4f_load(b + j) + edgefx_v4f_load(w + j) * xv;
        edgefx_v4f a1 = edgefx_v4f_load(b + H + j) + edgefx_v4f_load(w + H + j) * xv;
        edgefx_v4f a2 = edgefx_v4f_load(b + 2 * H + j) + edgefx_v4f_load(w + 2 * H + j) * xv;
        edgefx_v4f a3 = edgefx_v4f_load(b + 3 * H + j) + edgefx_v4f_load(w + 3 * H + j) * xv;
        const float *EDGEFX_RESTRICT wk = w + G + j;
        for (k = 0; k < H; k++, wk += G) LSTM_STEP4(wk, h[k]);
        if (fast) {
            lstm_cell4_fast_v4(a0, a1, a2, a3, c + j, hn + j);
        } else {
            edgefx_v4f_store(g, a0);
            edgefx_v4f_store(g + 4, a1);
            edgefx_v4f_store(g + 8, a2);
            edgefx_v4f_store(g + 12, a3);
            lstm_cell(g, c + j, hn + j, 4, 0);
        }
        sv = edgefx_v4f_mul_acc(sv, hn + j, hw + j, 4);
    }
    *sv_out = sv;
    return j;
}
#undef LSTM_STEP8
#undef LSTM_STEP4
#endif

EDGEFX_INLINE void lstm_run(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n,
                            int fast, size_t H)
{
    float *const h_state = state + 1;            /* state[0] is unused (layout kept) */
    float *EDGEFX_RESTRICT c = state + 1 + H;
    /* h and the new h ping-pong between h_state and the scratch (every tile reads the old h
     * while the new one is written), so no copy sits between one sample's h and the next's use */
    float *h = h_state, *hn = state + 1 + 2 * H;
    const float *EDGEFX_RESTRICT hw = S->head_w;
    float g[LSTM_GATE_SCRATCH];
    size_t t, j;
    for (t = 0; t < n; t++) {
        const float x = in[t];
        float s[4], y;
        j = 0;
#ifdef EDGEFX_SIMD_V4
        {
            edgefx_v4f sv;
            j = lstm_tiles_v4(S, S->w, H, h, x, c, hn, g, &sv, fast);
            edgefx_v4f_store(s, sv);
        }
#else
        s[0] = s[1] = s[2] = s[3] = 0.0f;
        for (; j + 2 <= H; j += 2) {
            lstm_gates_scalar(S, h, x, j, 2, g);
            lstm_cell(g, c + j, hn + j, 2, fast);
            s[j & 3u] = s[j & 3u] + hn[j] * hw[j];
            s[(j + 1) & 3u] = s[(j + 1) & 3u] + hn[j + 1] * hw[j + 1];
        }
#endif
        for (; j < H; j++) {
            lstm_gates_scalar(S, h, x, j, 1, g);
            lstm_cell(g, c + j, hn + j, 1, fast);
            s[j & 3u] = s[j & 3u] + hn[j] * hw[j];
        }
        y = ((s[0] + s[1]) + (s[2] + s[3])) + S->head_b;
        out[t] = S->skip ? y + x : y;
        {
            float *const swap = h;
            h = hn;
            hn = swap;
        }
    }
    if (n & 1u) /* an odd number of swaps: the last h is in the scratch */
        for (j = 0; j < H; j++) h_state[j] = h[j];
}

/*
 * With AVX, the common sizes get their own copy of the loop with H a constant (the compiler
 * then unrolls and addresses the weights with fixed offsets: 12 % fewer instructions for
 * LSTM-16, 709 -> 625 by callgrind); other sizes and other targets run the generic loop. Same operations, same bits.
 */
EDGEFX_INLINE void lstm_dispatch(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n,
                                 int fast)
{
#ifdef EDGEFX_SIMD_V8
    switch (S->hidden) {
    case 8: lstm_run(S, state, in, out, n, fast, 8); return;
    case 12: lstm_run(S, state, in, out, n, fast, 12); return;
    case 16: lstm_run(S, state, in, out, n, fast, 16); return;
    case 24: lstm_run(S, state, in, out, n, fast, 24); return;
    case 32: lstm_run(S, state, in, out, n, fast, 32); return;
    case 40: lstm_run(S, state, in, out, n, fast, 40); return;
    default: break;
    }
#endif
    lstm_run(S, state, in, out, n, fast, S->hidden);
}

void edgefx_lstm_process_f32(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n)
{
    lstm_dispatch(S, state, in, out, n, 0);
}

void edgefx_lstm_process_fast_f32(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n)
{
    lstm_dispatch(S, state, in, out, n, 1);
}
