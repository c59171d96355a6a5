/* edgefx_gru.c - GRU block kernel (see edgefx_gru.h). */
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

EDGEFX_INLINE void gru_run(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n, int fast)
{
    const size_t H = S->hidden, G = 3 * H;
    float *EDGEFX_RESTRICT h = state;
    float *EDGEFX_RESTRICT g = state + H;
    const float *EDGEFX_RESTRICT b_hh = S->b_hh;
    const float *EDGEFX_RESTRICT w_ih = S->w_ih;
    const float *EDGEFX_RESTRICT b_ih = S->b_ih;
    size_t t, j;
    for (t = 0; t < n; t++) {
        const float x = in[t];
        float y;
        for (j = 0; j < G; j++) g[j] = b_hh[j];
        edgefx_gemv_cm_acc_f32(S->w_hh, G, h, H, g, G);
        for (j = 0; j < 2 * H; j++) g[j] = (b_ih[j] + w_ih[j] * x) + g[j];
        if (fast) {
            edgefx_sigmoid_fast_vec_f32(g, 2 * H);
        } else {
            edgefx_sigmoid_vec_f32(g, 2 * H);
        }
        for (j = 2 * H; j < G; j++) g[j] = (b_ih[j] + w_ih[j] * x) + g[j - 2 * H] * g[j];
        if (fast) {
            edgefx_tanh_fast_vec_f32(g + 2 * H, H);
        } else {
            edgefx_tanh_vec_f32(g + 2 * H, H);
        }
        for (j = 0; j < H; j++) {
            const float nj = g[2 * H + j];
            h[j] = nj + g[H + j] * (h[j] - nj);
        }
        y = edgefx_dot_f32(S->head_w, h, H) + S->head_b;
        out[t] = S->skip ? y + x : y;
    }
}

void edgefx_gru_process_f32(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n)
{
    gru_run(S, state, in, out, n, 0);
}

void edgefx_gru_process_fast_f32(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n)
{
    gru_run(S, state, in, out, n, 1);
}
