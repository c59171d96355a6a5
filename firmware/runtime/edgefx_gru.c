/*
 * edgefx_gru.c - GRU block kernel (see edgefx_gru.h).
 *
 * Per sample, the hidden units are processed in tiles (with AVX 16 units = 6 gate vectors of 8,
 * then 8 units; with 4-lane SIMD 8 units = 6 gate vectors of 4; 2 units = 6 scalars otherwise;
 * then 4 / 1 unit tails): the recurrent gate sums
 * over h, then at once the tile's activations, its new h (into a second buffer: every tile reads
 * the old h; the two swap roles every sample and h is copied home at the end of the block) and
 * its share of the head. The fast update divides twice per unit instead of three times
 * (edgefx_gru_fast_h_* in edgefx_activations.h). With the swap and the constant-H copies of the
 * loop below, they took GRU-16 fast from 3.9 to 2.8 ms per audio-second on this project's x86-64
 * host (benchmarks/bench_cpu.py, results/cpu.md before and after).
 *
 * Summation order, the same in every path:
 *   gh = fma(w_1, h1, fma(w_0, h0, b_hh)) ...  (inputs ascending, fused)   gx = b_ih + w_ih x
 *   r = sigmoid(gx_r + gh_r)  z = sigmoid(gx_z + gh_z)  n = tanh(gx_n + r gh_n)
 *   h' = n + z (h - n)        y = ((s0 + s1) + (s2 + s3)) + head_b, s_l over j = l (mod 4)
 */
#include "edgefx_gru.h"
#include "edgefx_activations.h"
#include "edgefx_dense.h"

void edgefx_gru_init_f32(edgefx_gru_f32 *S, size_t hidden, const float *w_hh, const float *b_hh,
                         const float *w_ih, const float *b_ih, const float *head_w, float head_b, int skip)
{
    S->hidden = hidden;
    S->w_hh = w_hh;
    S->b_hh = b_hh;
    S->w_ih = w_ih;
    S->b_ih = b_ih;
    S->head_w = head_w;
    S->head_b = head_b;
    S->skip = skip;
}

void edgefx_gru_reset_f32(const edgefx_gru_f32 *S, float *state)
{
    size_t i;
    for (i = 0; i < EDGEFX_GRU_STATE_LEN(S->hidden); i++) state[i] = 0.0f;
}

/*
 * The fast update of LANES units at once from u on (VF the vector type, SUF its suffix): the
 * same operations per lane as the scalar form in gru_cell.
 */
#define GRU_FAST_LANES(VF, SUF, LANES)                                                                        \
    for (; u + (LANES) <= nu; u += (LANES)) {                                                               \
        const VF xv = edgefx_##SUF##_dup(x);                                                                \
        const VF ra = (edgefx_##SUF##_load(b + u) + edgefx_##SUF##_load(w + u) * xv) + edgefx_##SUF##_load(gh + u); \
        const VF za = (edgefx_##SUF##_load(b + H + u) + edgefx_##SUF##_load(w + H + u) * xv) +              \
                      edgefx_##SUF##_load(gh + nu + u);                                                     \
        const VF xn = edgefx_##SUF##_load(b + 2 * H + u) + edgefx_##SUF##_load(w + 2 * H + u) * xv;          \
        edgefx_##SUF##_store(hn + u, edgefx_gru_fast_h_##SUF(ra, za, xn, edgefx_##SUF##_load(gh + 2 * nu + u), \
                                                            edgefx_##SUF##_load(h + j0 + u)));              \
    }

/*
 * Units [j0, j0 + nu) from their recurrent sums gh = [r(nu) z(nu) n(nu)]: new h into hn. nu is a
 * compile-time constant at every call, so the exact loop vectorises; the fast update (two
 * divisions per unit: edgefx_gru_fast_h_* in edgefx_activations.h) takes whole vectors of lanes
 * first, then single units.
 */
EDGEFX_INLINE void gru_cell(const edgefx_gru_f32 *S, const float *EDGEFX_RESTRICT gh, const float *EDGEFX_RESTRICT h,
                            float *EDGEFX_RESTRICT hn, float x, size_t j0, size_t nu, int fast, size_t H)
{
    const float *EDGEFX_RESTRICT b = S->b_ih + j0;
    const float *EDGEFX_RESTRICT w = S->w_ih + j0;
    size_t u = 0;
    if (fast) {
#ifdef EDGEFX_SIMD_V8
        GRU_FAST_LANES(edgefx_v8f, v8f, 8)
#endif
#ifdef EDGEFX_SIMD_V4
        GRU_FAST_LANES(edgefx_v4f, v4f, 4)
#endif
        for (; u < nu; u++) {
            const float ra = (b[u] + w[u] * x) + gh[u];
            const float za = (b[H + u] + w[H + u] * x) + gh[nu + u];
            const float xn = b[2 * H + u] + w[2 * H + u] * x;
            hn[u] = edgefx_gru_fast_h_f32(ra, za, xn, gh[2 * nu + u], h[j0 + u]);
        }
        return;
    }
    for (u = 0; u < nu; u++) {
        const float ra = (b[u] + w[u] * x) + gh[u];
        const float za = (b[H + u] + w[H + u] * x) + gh[nu + u];
        const float r = edgefx_sigmoid_f32(ra);
        const float z = edgefx_sigmoid_f32(za);
        const float na = (b[2 * H + u] + w[2 * H + u] * x) + r * gh[2 * nu + u];
        const float nn = edgefx_tanh_f32(na);
        hn[u] = nn + z * (h[j0 + u] - nn);
    }
}
#undef GRU_FAST_LANES

/* Recurrent sums of nu <= 2 units starting at j0, scalar: gh[q nu + u] for gate q, unit u. */
EDGEFX_INLINE void gru_gates_scalar(const edgefx_gru_f32 *S, const float *EDGEFX_RESTRICT h, size_t j0, size_t nu,
                                    float *EDGEFX_RESTRICT gh, size_t H)
{
    const size_t G = 3 * H;
    const float *EDGEFX_RESTRICT w = S->w_hh + j0;
    float acc[6];
    size_t q, u, k;
    for (q = 0; q < 3; q++)
        for (u = 0; u < nu; u++) acc[q * nu + u] = S->b_hh[q * H + j0 + u];
    for (k = 0; k < H; k++) {
        const float hk = h[k];
        const float *EDGEFX_RESTRICT wk = w + k * G;
        for (q = 0; q < 3; q++)
            for (u = 0; u < nu; u++) acc[q * nu + u] = edgefx_fma_f32(wk[q * H + u], hk, acc[q * nu + u]);
    }
    for (u = 0; u < 3 * nu; u++) gh[u] = acc[u];
}

#ifdef EDGEFX_SIMD_V8
/*
 * The 8-lane (AVX) tiles of one sample: 16 units (3 gates x 2 halves = 6 accumulators), then 8
 * units (3). Returns the first unit not done; the head sums continue in *sv in the order of the
 * 4-lane tiles. Same operations per lane as the other paths, so the same bits.
 */
EDGEFX_INLINE size_t gru_tiles_v8(const edgefx_gru_f32 *S, const float *EDGEFX_RESTRICT h, float x,
                                  float *EDGEFX_RESTRICT hn, float *EDGEFX_RESTRICT gh, edgefx_v4f *sv, int fast,
                                  size_t H)
{
    const size_t G = 3 * H;
    const float *EDGEFX_RESTRICT w = S->w_hh;
    const float *EDGEFX_RESTRICT b = S->b_hh;
    const float *EDGEFX_RESTRICT hw = S->head_w;
    size_t j = 0, k, q;
    for (; j + 16 <= H; j += 16) {
        edgefx_v8f a[6];
        const float *EDGEFX_RESTRICT wk = w + j;
        for (q = 0; q < 6; q++) a[q] = edgefx_v8f_load(b + (q >> 1) * H + j + 8 * (q & 1u));
        EDGEFX_UNROLL8
        for (k = 0; k < H; k++, wk += G) {
            const edgefx_v8f hk = edgefx_v8f_dup(h[k]);
            a[0] = edgefx_v8f_fma(edgefx_v8f_load(wk), hk, a[0]);
            a[1] = edgefx_v8f_fma(edgefx_v8f_load(wk + 8), hk, a[1]);
            a[2] = edgefx_v8f_fma(edgefx_v8f_load(wk + H), hk, a[2]);
            a[3] = edgefx_v8f_fma(edgefx_v8f_load(wk + H + 8), hk, a[3]);
            a[4] = edgefx_v8f_fma(edgefx_v8f_load(wk + 2 * H), hk, a[4]);
            a[5] = edgefx_v8f_fma(edgefx_v8f_load(wk + 2 * H + 8), hk, a[5]);
        }
        for (q = 0; q < 6; q++) edgefx_v8f_store(gh + 8 * q, a[q]);
        gru_cell(S, gh, h, hn + j, x, j, 16, fast, H);
        *sv = edgefx_v4f_mul_acc(*sv, hn + j, hw + j, 16);
    }
    for (; j + 8 <= H; j += 8) {
        edgefx_v8f a0 = edgefx_v8f_load(b + j), a1 = edgefx_v8f_load(b + H + j), a2 = edgefx_v8f_load(b + 2 * H + j);
        const float *EDGEFX_RESTRICT wk = w + j;
        for (k = 0; k < H; k++, wk += G) {
            const edgefx_v8f hk = edgefx_v8f_dup(h[k]);
            a0 = edgefx_v8f_fma(edgefx_v8f_load(wk), hk, a0);
            a1 = edgefx_v8f_fma(edgefx_v8f_load(wk + H), hk, a1);
            a2 = edgefx_v8f_fma(edgefx_v8f_load(wk + 2 * H), hk, a2);
        }
        edgefx_v8f_store(gh, a0);
        edgefx_v8f_store(gh + 8, a1);
        edgefx_v8f_store(gh + 16, a2);
        gru_cell(S, gh, h, hn + j, x, j, 8, fast, H);
        *sv = edgefx_v4f_mul_acc(*sv, hn + j, hw + j, 8);
    }
    return j;
}
#endif

#ifdef EDGEFX_SIMD_V4
/* The SIMD tiles of one sample (8 units, then 4); returns the first unit not done. */
EDGEFX_INLINE size_t gru_tiles_v4(const edgefx_gru_f32 *S, const float *EDGEFX_RESTRICT h, float x,
                                  float *EDGEFX_RESTRICT hn, float *EDGEFX_RESTRICT gh, edgefx_v4f *sv_out, int fast,
                                  size_t H)
{
    const size_t G = 3 * H;
    const float *EDGEFX_RESTRICT w = S->w_hh;
    const float *EDGEFX_RESTRICT b = S->b_hh;
    const float *EDGEFX_RESTRICT hw = S->head_w;
    edgefx_v4f sv = edgefx_v4f_dup(0.0f);
    size_t j = 0, k;
#ifdef EDGEFX_SIMD_V8
    j = gru_tiles_v8(S, h, x, hn, gh, &sv, fast, H);
#endif
    for (; j + 8 <= H; j += 8) {
        edgefx_v4f a0 = edgefx_v4f_load(b + j), a1 = edgefx_v4f_load(b + j + 4);
        edgefx_v4f a2 = edgefx_v4f_load(b + H + j), a3 = edgefx_v4f_load(b + H + j + 4);
        edgefx_v4f a4 = edgefx_v4f_load(b + 2 * H + j), a5 = edgefx_v4f_load(b + 2 * H + j + 4);
        const float *EDGEFX_RESTRICT wk = w + j;
        for (k = 0; k < H; k++, wk += G) {
            const edgefx_v4f hk = edgefx_v4f_dup(h[k]);
            a0 = edgefx_v4f_fma(edgefx_v4f_load(wk), hk, a0);
            a1 = edgefx_v4f_fma(edgefx_v4f_load(wk + 4), hk, a1);
            a2 = edgefx_v4f_fma(edgefx_v4f_load(wk + H), hk, a2);
            a3 = edgefx_v4f_fma(edgefx_v4f_load(wk + H + 4), hk, a3);
            a4 = edgefx_v4f_fma(edgefx_v4f_load(wk + 2 * H), hk, a4);
            a5 = edgefx_v4f_fma(edgefx_v4f_load(wk + 2 * H + 4), hk, a5);
        }
        edgefx_v4f_store(gh, a0);
        edgefx_v4f_store(gh + 4, a1);
        edgefx_v4f_store(gh + 8, a2);
        edgefx_v4f_store(gh + 12, a3);
        edgefx_v4f_store(gh + 16, a4);
        edgefx_v4f_store(gh + 20, a5);
        gru_cell(S, gh, h, hn + j, x, j, 8, fast, H);
        sv = edgefx_v4f_mul_acc(sv, hn + j, hw + j, 8);
    }
    for (; j + 4 <= H; j += 4) {
        edgefx_v4f a0 = edgefx_v4f_load(b + j), a1 = edgefx_v4f_load(b + H + j), a2 = edgefx_v4f_load(b + 2 * H + j);
        const float *EDGEFX_RESTRICT wk = w + j;
        for (k = 0; k < H; k++, wk += G) {
            const edgefx_v4f hk = edgefx_v4f_dup(h[k]);
            a0 = edgefx_v4f_fma(edgefx_v4f_load(wk), hk, a0);
            a1 = edgefx_v4f_fma(edgefx_v4f_load(wk + H), hk, a1);
            a2 = edgefx_v4f_fma(edgefx_v4f_load(wk + 2 * H), hk, a2);
        }
        edgefx_v4f_store(gh, a0);
        edgefx_v4f_store(gh + 4, a1);
        edgefx_v4f_store(gh + 8, a2);
        gru_cell(S, gh, h, hn + j, x, j, 4, fast, H);
        sv = edgefx_v4f_mul_acc(sv, hn + j, hw + j, 4);
    }
    *sv_out = sv;
    return j;
}
#endif

EDGEFX_INLINE void gru_run(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n, int fast,
                           size_t H)
{
    /* h and the new h ping-pong between state[0, H) and the scratch (every tile reads the old h
     * while the new one is written), so no copy sits between one sample's h and the next's use */
    float *const h_state = state;
    float *h = h_state, *hn = state + H;
    const float *EDGEFX_RESTRICT hw = S->head_w;
    float gh[48];
    size_t t, j;
    for (t = 0; t < n; t++) {
        const float x = in[t];
        float s[4], y;
        j = 0;
#ifdef EDGEFX_SIMD_V4
        {
            edgefx_v4f sv;
            j = gru_tiles_v4(S, h, x, hn, gh, &sv, fast, H);
            edgefx_v4f_store(s, sv);
        }
#else
        s[0] = s[1] = s[2] = s[3] = 0.0f;
        for (; j + 2 <= H; j += 2) {
            gru_gates_scalar(S, h, j, 2, gh, H);
            gru_cell(S, gh, h, hn + j, x, j, 2, fast, H);
            s[j & 3u] = s[j & 3u] + hn[j] * hw[j];
            s[(j + 1) & 3u] = s[(j + 1) & 3u] + hn[j + 1] * hw[j + 1];
        }
#endif
        for (; j < H; j++) {
            gru_gates_scalar(S, h, j, 1, gh, H);
            gru_cell(S, gh, h, hn + j, x, j, 1, fast, H);
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

/* With AVX, the common sizes get their own copy of the loop with H a constant, as in edgefx_lstm.c.
 * Same operations, same bits. */
EDGEFX_INLINE void gru_dispatch(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n,
                                int fast)
{
#ifdef EDGEFX_SIMD_V8
    switch (S->hidden) {
    case 8: gru_run(S, state, in, out, n, fast, 8); return;
    case 16: gru_run(S, state, in, out, n, fast, 16); return;
    case 32: gru_run(S, state, in, out, n, fast, 32); return;
    default: break;
    }
#endif
    gru_run(S, state, in, out, n, fast, S->hidden);
}

void edgefx_gru_process_f32(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n)
{
    gru_dispatch(S, state, in, out, n, 0);
}

void edgefx_gru_process_fast_f32(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n)
{
    gru_dispatch(S, state, in, out, n, 1);
}
