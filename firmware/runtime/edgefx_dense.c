/* edgefx_dense.c - dense kernels (see edgefx_dense.h for layouts and summation order). */
#include "edgefx_dense.h"

void edgefx_dense_f32(const float *W, const float *b, const float *x, float *y, size_t n_in, size_t n_out)
{
    size_t o;
    for (o = 0; o < n_out; o++) {
        const float s = edgefx_dot_f32(W + o * n_in, x, n_in);
        y[o] = b ? s + b[o] : s;
    }
}

void edgefx_dense_add_f32(const float *W, const float *b, const float *x, float *y, size_t n_in, size_t n_out)
{
    size_t o;
    for (o = 0; o < n_out; o++) {
        const float s = edgefx_dot_f32(W + o * n_in, x, n_in);
        y[o] = y[o] + (b ? s + b[o] : s);
    }
}

void edgefx_gemv_cm_f32(const float *W, const float *x, float *acc, size_t n_in, size_t n_out)
{
    edgefx_gemv_cm_acc_f32(W, n_out, x, n_in, acc, n_out);
}
