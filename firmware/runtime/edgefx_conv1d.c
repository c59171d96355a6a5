/* edgefx_conv1d.c - causal dilated convolution with a ring-buffer history (see the header). */
#include "edgefx_conv1d.h"
#include "edgefx_dense.h"

void edgefx_conv1d_init_f32(edgefx_conv1d_f32 *S, size_t in_ch, size_t out_ch, size_t kernel, size_t dilation,
                            const float *w, const float *b)
{
    S->in_ch = in_ch;
    S->out_ch = out_ch;
    S->kernel = kernel;
    S->dilation = dilation;
    S->w = w;
    S->b = b;
}

void edgefx_conv1d_reset_f32(const edgefx_conv1d_f32 *S, float *hist, uint32_t *pos)
{
    const size_t len = EDGEFX_CONV1D_HIST_LEN(S->kernel, S->dilation, S->in_ch);
    size_t i;
    for (i = 0; i < len; i++) hist[i] = 0.0f;
    *pos = 0u;
}

void edgefx_conv1d_step_f32(const edgefx_conv1d_f32 *S, float *hist, uint32_t *pos, const float *x, float *y)
{
    const size_t C = S->in_ch, O = S->out_ch, K = S->kernel, d = S->dilation;
    const size_t frames = (K - 1u) * d;          /* ring length in frames */
    const size_t p = *pos;                        /* slot of frame t - frames (the oldest) */
    size_t o, tap;
    for (o = 0; o < O; o++) y[o] = S->b ? S->b[o] : 0.0f;
    for (tap = 0; tap + 1u < K; tap++) {
        /* frame t - (K-1-tap) d sits at p + tap d (mod frames) */
        size_t slot = p + tap * d;
        if (slot >= frames) slot -= frames;
        edgefx_gemv_cm_acc_f32(S->w + tap * C * O, O, hist + slot * C, C, y, O);
    }
    edgefx_gemv_cm_acc_f32(S->w + (K - 1u) * C * O, O, x, C, y, O);
    if (frames) {
        float *dst = hist + p * C;
        size_t c;
        for (c = 0; c < C; c++) dst[c] = x[c];
        *pos = (uint32_t)(p + 1u == frames ? 0u : p + 1u);
    }
}

void edgefx_conv1d_process_f32(const edgefx_conv1d_f32 *S, float *hist, uint32_t *pos, const float *in,
                               float *out, size_t n)
{
    size_t t;
    for (t = 0; t < n; t++) edgefx_conv1d_step_f32(S, hist, pos, in + t * S->in_ch, out + t * S->out_ch);
}
