/*
 * edgefx_gru.h - single-layer GRU with a linear head and an input skip, processing a block
 * of mono samples (PyTorch's formulation, gate order r, z, n):
 *
 *   gh = b_hh + W_hh h            gx = b_ih + w_ih x
 *   r = sigmoid(gx_r + gh_r)      z = sigmoid(gx_z + gh_z)
 *   n = tanh(gx_n + r * gh_n)     h = n + z * (h - n)
 *   y = dot(head_w, h) + head_b (+ x with the skip)
 *
 * Layout (G = 3 H): w_hh [H][G] column-major (row k: the weights of h[k] to every gate),
 * b_hh [G], w_ih [G], b_ih [G]. State (EDGEFX_GRU_STATE_LEN(H) floats): h (H), and 3H floats of
 * scratch (the new h of the sample being computed).
 */
#ifndef EDGEFX_GRU_H
#define EDGEFX_GRU_H

#include "edgefx_types.h"

#define EDGEFX_GRU_STATE_LEN(H) (4u * (H))

typedef struct {
    size_t hidden;        /* H */
    const float *w_hh;    /* [H * 3H] */
    const float *b_hh;    /* [3H] */
    const float *w_ih;    /* [3H] */
    const float *b_ih;    /* [3H] */
    const float *head_w;  /* [H] */
    float head_b;
    int skip;
} edgefx_gru_f32;

void edgefx_gru_init_f32(edgefx_gru_f32 *S, size_t hidden, const float *w_hh, const float *b_hh,
                         const float *w_ih, const float *b_ih, const float *head_w, float head_b, int skip);

void edgefx_gru_reset_f32(const edgefx_gru_f32 *S, float *state);

/* Process n samples with the exact activations. in and out may be the same buffer. */
void edgefx_gru_process_f32(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n);

/* The same with the fast activations. */
void edgefx_gru_process_fast_f32(const edgefx_gru_f32 *S, float *state, const float *in, float *out, size_t n);

#endif /* EDGEFX_GRU_H */
