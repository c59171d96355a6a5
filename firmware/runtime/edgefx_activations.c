/* edgefx_activations.c - out-of-place block forms of the activations (see the header). */
#include "edgefx_activations.h"

void edgefx_tanh_block_f32(const float *in, float *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) out[i] = edgefx_tanh_f32(in[i]);
}

void edgefx_sigmoid_block_f32(const float *in, float *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) out[i] = edgefx_sigmoid_f32(in[i]);
}

void edgefx_tanh_fast_block_f32(const float *in, float *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) out[i] = edgefx_tanh_fast_f32(in[i]);
}

void edgefx_sigmoid_fast_block_f32(const float *in, float *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) out[i] = edgefx_sigmoid_fast_f32(in[i]);
}

void edgefx_tanh_frac_block_f32(const float *in, float *num, float *den, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const edgefx_frac_f32 r = edgefx_tanh_frac_f32(in[i]);
        num[i] = r.n;
        den[i] = r.q;
    }
}

void edgefx_sigmoid_frac_block_f32(const float *in, float *num, float *den, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const edgefx_frac_f32 r = edgefx_sigmoid_frac_f32(in[i]);
        num[i] = r.n;
        den[i] = r.q;
    }
}
