/* edgefx_lstm.c - LSTM block kernel (see edgefx_lstm.h). */
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

EDGEFX_INLINE float lstm_sigmoid(float x, int fast)
{
    return fast ? edgefx_sigmoid_fast_f32(x) : edgefx_sigmoid_f32(x);
}

EDGEFX_INLINE float lstm_tanh(float x, int fast)
{
    return fast ? edgefx_tanh_fast_f32(x) : edgefx_tanh_f32(x);
}

EDGEFX_INLINE void lstm_run(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n,
                            int fast)
{
    const size_t H = S->hidden, G = 4 * H;
    float *EDGEFX_RESTRICT v = state;            /* [x, h] */
    float *h = v + 1;                            /* based on v */
    float *EDGEFX_RESTRICT c = state + 1 + H;
    float *EDGEFX_RESTRICT g = state + 1 + 2 * H;
    const float *EDGEFX_RESTRICT bias = S->b;
    size_t t, j;
    for (t = 0; t < n; t++) {
        const float x = in[t];
        float y;
        v[0] = x;
        for (j = 0; j < G; j++) g[j] = bias[j];
        edgefx_gemv_cm_acc_f32(S->w, G, v, H + 1, g, G);
        /* g: i | f | o | g~, one fused element-wise pass (vectorises over j) */
        for (j = 0; j < H; j++) {
            const float ig = lstm_sigmoid(g[j], fast);
            const float fg = lstm_sigmoid(g[H + j], fast);
            const float og = lstm_sigmoid(g[2 * H + j], fast);
            const float gg = lstm_tanh(g[3 * H + j], fast);
            const float cj = fg * c[j] + ig * gg;
            c[j] = cj;
            h[j] = og * lstm_tanh(cj, fast);
        }
        y = edgefx_dot_f32(S->head_w, h, H) + S->head_b;
        out[t] = S->skip ? y + x : y;
    }
}

void edgefx_lstm_process_f32(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n)
{
    lstm_run(S, state, in, out, n, 0);
}

void edgefx_lstm_process_fast_f32(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n)
{
    lstm_run(S, state, in, out, n, 1);
}
