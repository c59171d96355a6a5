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

#endif /* EDGEFX_CONV1D_H */
