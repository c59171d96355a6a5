/*
 * edgefx_latency.c - latency of the operations on an LSTM sample's critical path: a float add, a
 * float multiply, a fused multiply-add, the runtime's fast tanh and sigmoid, and the fast LSTM
 * cell's two halves (gate sums to c', c' to h': edgefx_lstm_fast_c / _h, the kernel's own code),
 * 8-lane with AVX, else 4-lane or scalar: whatever the kernels use on this build. Each is timed as
 * a chain of dependent calls, so the figure is the time from an input to its result. Then the
 * throughput of the multiply-add, of the two fast activations and of the whole fast cell: 8
 * independent chains side by side, time per operation; and the gate sums' multiply-adds with
 * their weight loads (gemv_l1_throughput). Prints "name ns" lines (per vector of lanes).
 *
 *   gcc -O3 -std=c99 -ffp-contract=off [-mavx2 -mfma] -I../runtime edgefx_latency.c edgefx_bench_driver.c -o latency
 */
#include <stdio.h>
#include <stdlib.h>
#include "edgefx_activations.h"
#include "edgefx_bench_driver.h"

#if defined(EDGEFX_SIMD_V8)
typedef edgefx_v8f vec;
#define DUP edgefx_v8f_dup
#define FMA edgefx_v8f_fma
#define LOAD edgefx_v8f_load
#define TANH edgefx_tanh_fast_v8f
#define SIGMOID edgefx_sigmoid_fast_v8f
#define CELL_C edgefx_lstm_fast_c_v8f
#define CELL_H edgefx_lstm_fast_h_v8f
#define LANES 8
#elif defined(EDGEFX_SIMD_V4)
typedef edgefx_v4f vec;
#define DUP edgefx_v4f_dup
#define FMA edgefx_v4f_fma
#define LOAD edgefx_v4f_load
#define TANH edgefx_tanh_fast_v4f
#define SIGMOID edgefx_sigmoid_fast_v4f
#define CELL_C edgefx_lstm_fast_c_v4f
#define CELL_H edgefx_lstm_fast_h_v4f
#define LANES 4
#else
typedef float vec;
#define DUP(v) (v)
#define FMA edgefx_fma_f32
#define LOAD(p) (*(p))
#define TANH edgefx_tanh_fast_f32
#define SIGMOID edgefx_sigmoid_fast_f32
#define CELL_C edgefx_lstm_fast_c_f32
#define CELL_H edgefx_lstm_fast_h_f32
#define LANES 1
#endif

/* Keeps x in a register and opaque to the optimiser, so the chain stays a chain. */
#define OPAQUE(x) __asm__ volatile("" : "+x"(x))

/* One vector of units through the whole fast cell, every gate sum and the old c being v. */
#define CELL(v) CELL_H(v, CELL_C(v, v, v, v))

/*
 * The gate sums alone, weights streamed from L1 as the kernel streams them: an LSTM-32's
 * 33 x 128 column-major weights (16.9 KB), tiles of 8 vector accumulators, each input broadcast
 * from memory and its weight vectors loaded (folded into the multiply-adds). No activations and no
 * chain between passes: what the multiply-adds cost with their loads.
 */
#define GEMV_IN 33
#define GEMV_OUT 128
static float gemv_w[GEMV_IN * GEMV_OUT] __attribute__((aligned(64)));
static float gemv_h[GEMV_IN] __attribute__((aligned(64)));
static float gemv_g[GEMV_OUT] __attribute__((aligned(64)));

static void gemv_pass(void)
{
    int t, k, q;
    for (t = 0; t < GEMV_OUT / (8 * LANES); t++) {
        const float *w = gemv_w + t * 8 * LANES;
        vec a[8];
        for (q = 0; q < 8; q++) a[q] = LOAD(w + q * LANES) * DUP(gemv_h[0]);
        for (k = 1; k < GEMV_IN; k++) {
            const vec hk = DUP(gemv_h[k]);
            const float *wk = w + k * GEMV_OUT;
            for (q = 0; q < 8; q++) a[q] = FMA(LOAD(wk + q * LANES), hk, a[q]);
        }
        __builtin_memcpy(gemv_g + t * 8 * LANES, a, sizeof a);
    }
}

static void gemv_fill(void)
{
    int i;
    for (i = 0; i < GEMV_IN * GEMV_OUT; i++) gemv_w[i] = (float)(i % 7) * 1e-3f;
    for (i = 0; i < GEMV_IN; i++) gemv_h[i] = 0.01f * (float)i;
}

/* ns per vector multiply-add of gemv_pass, over about n of them */
static double gemv_ns(long n)
{
    const long passes = n / (GEMV_IN * GEMV_OUT / LANES) + 1;
    const double t0 = edgefx_bench_now();
    long i;
    for (i = 0; i < passes; i++) {
        gemv_pass();
        __asm__ volatile("" : : "r"(gemv_g) : "memory"); /* each pass's sums are used */
    }
    return (edgefx_bench_now() - t0) / ((double)passes * (GEMV_IN * GEMV_OUT / LANES)) * 1e9;
}

static double best_ns(int which, long n, int repeats, int rounds)
{
    double best = 1e30;
    int r;
    for (r = 0; r < repeats; r++) {
        vec x = DUP(0.3f), y = DUP(which == 1 ? 1.0f : 1e-30f); /* no drift into subnormals */
        long i;
        double dt_scale = 1.0;
        double t0 = edgefx_bench_now(), dt;
        switch (which) {
        case 0: for (i = 0; i < n; i++) { x = x + y; OPAQUE(x); } break;
        case 1: for (i = 0; i < n; i++) { x = x * y; OPAQUE(x); } break;
        case 2: for (i = 0; i < n; i++) { x = FMA(x, DUP(1.0f), y); OPAQUE(x); } break;
        case 3: for (i = 0; i < n; i++) { x = TANH(x); OPAQUE(x); } break;
        case 4: for (i = 0; i < n; i++) { x = SIGMOID(x); OPAQUE(x); } break;
        case 5: for (i = 0; i < n; i++) { x = CELL_C(x, x, x, x); OPAQUE(x); } break;
        case 6: for (i = 0; i < n; i++) { x = CELL_H(x, x); OPAQUE(x); } break;
        case 11: { /* the mix: two vectors of units through the fast cell (gate sums independent of
                    * each other) beside 2 x `rounds` x 8 independent multiply-adds; time per vector of
                    * units. Two cells per iteration, because one cell's latency (c' then h') is longer
                    * than the iteration's work: with one, the probe would time the chain, not the pipes. */
            vec c0 = DUP(0.1f), c1 = DUP(0.2f), c2 = DUP(0.3f), c3 = DUP(0.4f);
            vec c4 = DUP(0.5f), c5 = DUP(0.6f), c6 = DUP(0.7f), c7 = DUP(0.8f), acc = DUP(0.0f);
            int k;
            for (i = 0; i < n; i++) {
                OPAQUE(c0); OPAQUE(c1); OPAQUE(c2); OPAQUE(c3); OPAQUE(c4); OPAQUE(c5); OPAQUE(c6); OPAQUE(c7);
                acc = acc + (CELL_H(c2, CELL_C(c0, c1, c3, c4)) + CELL_H(c7, CELL_C(c5, c6, c0, c1)));
                for (k = 0; k < 2 * rounds; k++) {
                    c0 = FMA(c0, DUP(1.0f), y); c1 = FMA(c1, DUP(1.0f), y); c2 = FMA(c2, DUP(1.0f), y);
                    c3 = FMA(c3, DUP(1.0f), y); c4 = FMA(c4, DUP(1.0f), y); c5 = FMA(c5, DUP(1.0f), y);
                    c6 = FMA(c6, DUP(1.0f), y); c7 = FMA(c7, DUP(1.0f), y);
                    OPAQUE(c0); OPAQUE(c1); OPAQUE(c2); OPAQUE(c3); OPAQUE(c4); OPAQUE(c5); OPAQUE(c6); OPAQUE(c7);
                }
            }
            x = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + acc;
        } break;
        default: { /* throughput: 8 independent chains (which = 7 fma, 8 tanh, 9 sigmoid, 10 cell) */
            vec c0 = DUP(0.1f), c1 = DUP(0.2f), c2 = DUP(0.3f), c3 = DUP(0.4f);
            vec c4 = DUP(0.5f), c5 = DUP(0.6f), c6 = DUP(0.7f), c7 = DUP(0.8f);
#define EIGHT(OP)                                                                                     \
    for (i = 0; i < n; i++) {                                                                         \
        c0 = OP(c0); c1 = OP(c1); c2 = OP(c2); c3 = OP(c3); c4 = OP(c4); c5 = OP(c5); c6 = OP(c6); c7 = OP(c7); \
        OPAQUE(c0); OPAQUE(c1); OPAQUE(c2); OPAQUE(c3); OPAQUE(c4); OPAQUE(c5); OPAQUE(c6); OPAQUE(c7); \
    }
#define STEP(v) FMA(v, DUP(1.0f), y)
            if (which == 7) EIGHT(STEP) else if (which == 8) EIGHT(TANH) else if (which == 9) EIGHT(SIGMOID)
            else EIGHT(CELL)
#undef STEP
#undef EIGHT
            x = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7));
            dt_scale = 8.0;
        } break;
        }
        dt = (edgefx_bench_now() - t0) / ((double)n * dt_scale);
        {
            float out[LANES];
            __builtin_memcpy(out, &x, sizeof out);
            if (out[0] == 12345.0f) puts(""); /* uses the result */
        }
        if (dt < best) best = dt;
    }
    return best * 1e9;
}

/* latency n repeats [rounds ...]: the eleven single-operation figures, the L1 gemv's multiply-add, then
 * "mix_R ns" per rounds R given */
int main(int argc, char **argv)
{
    const long n = argc > 1 ? atol(argv[1]) : 5000000L;
    const int repeats = argc > 2 ? atoi(argv[2]) : 7;
    static const char *names[] = {"add", "mul", "fma", "tanh_fast", "sigmoid_fast", "cell_c_fast", "cell_h_fast",
                                  "fma_throughput", "tanh_fast_throughput", "sigmoid_fast_throughput",
                                  "cell_fast_throughput"};
    double fma_best = 1e30, gemv_best = 1e30;
    int k;
    /* the multiply-add throughput and the L1 gemv's, sampled in turns so that their ratio sees one machine
     * state (this shared host's speed drifts within a second) */
    gemv_fill();
    for (k = 0; k < 3 * repeats; k++) {
        const double f = best_ns(7, n, 1, 0), g = gemv_ns(n);
        if (f < fma_best) fma_best = f;
        if (g < gemv_best) gemv_best = g;
    }
    printf("lanes %d\n", LANES);
    for (k = 0; k < 11; k++) printf("%s %.4f\n", names[k], k == 7 ? fma_best : best_ns(k, n, repeats, 0));
    printf("gemv_l1_throughput %.4f\n", gemv_best);
    for (k = 3; k < argc; k++) {
        const int rounds = atoi(argv[k]);
        printf("mix_%d %.4f\n", rounds, best_ns(11, n / (2 * rounds + 2), repeats, rounds) / 2.0);
    }
    return 0;
}
