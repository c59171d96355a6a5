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
