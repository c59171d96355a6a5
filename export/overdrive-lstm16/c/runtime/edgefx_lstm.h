/*
 * edgefx_lstm.h - single-layer LSTM with a linear head and an input skip (the recurrent
 * amp-model block), processing a block of mono samples.
 *
 *   gates = b + W [x; h]                      (W column-major: see below)
 *   i, f, o = sigmoid(.)   g = tanh(.)
 *   c = f * c + i * g      h = o * tanh(c)
 *   y = dot(head_w, h) + head_b (+ x with the skip)
 *
 * Layout (G = 4 H gates, in the order i, f, o, g so sigmoid runs over 3H contiguous values):
 *   w  [(H + 1)][G]  column-major: row 0 holds the input (x) weights, row 1 + k the weights of
 *                    h[k]; the gate accumulators are independent, so the inner loop keeps a
 *                    register tile of gates busy with no loop-carried dependency.
 *   b  [G]           b_ih + b_hh
 * State (caller-owned, EDGEFX_LSTM_STATE_LEN(H) floats): one unused float, h (H), c (H), and
 * 4H floats of scratch (the new h of the sample being computed).
 */
#ifndef EDGEFX_LSTM_H
#define EDGEFX_LSTM_H

#include "edgefx_types.h"

#define EDGEFX_LSTM_STATE_LEN(H) (6u * (H) + 1u)

/* Constant parameters (may live in flash). */
typedef struct {
    size_t hidden;        /* H */
    const float *w;       /* [(H + 1) * 4H] */
    const float *b;       /* [4H] */
    const float *head_w;  /* [H] */
    float head_b;
    int skip;             /* 1: add the input to the output */
} edgefx_lstm_f32;

void edgefx_lstm_init_f32(edgefx_lstm_f32 *S, size_t hidden, const float *w, const float *b,
                          const float *head_w, float head_b, int skip);

/* Zero the recurrent state (h and c). */
void edgefx_lstm_reset_f32(const edgefx_lstm_f32 *S, float *state);

/* Process n samples with the exact activations. in and out may be the same buffer. */
void edgefx_lstm_process_f32(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n);

/* The same with the fast activations. */
void edgefx_lstm_process_fast_f32(const edgefx_lstm_f32 *S, float *state, const float *in, float *out, size_t n);

#endif /* EDGEFX_LSTM_H */
