/*
 * edgefx_latency.c - latency (not throughput) of the operations on an LSTM sample's critical path:
 * a float add, a float multiply, a fused multiply-add, and the runtime's fast tanh and sigmoid (8-lane with AVX, else
 * 4-lane or scalar: whatever the kernels use on this build). Each is timed as a chain of dependent
 * calls, so the figure is the time from an input to its result. Prints "name ns" lines.
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
#define TANH edgefx_tanh_fast_v8f
#define SIGMOID edgefx_sigmoid_fast_v8f
#define LANES 8
#elif defined(EDGEFX_SIMD_V4)
typedef edgefx_v4f vec;
#define DUP edgefx_v4f_dup
#define FMA edgefx_v4f_fma
#define TANH edgefx_tanh_fast_v4f
#define SIGMOID edgefx_sigmoid_fast_v4f
#define LANES 4
#else
typedef float vec;
#define DUP(v) (v)
#define FMA edgefx_fma_f32
#define TANH edgefx_tanh_fast_f32
#define SIGMOID edgefx_sigmoid_fast_f32
#define LANES 1
#endif

/* Keeps x in a register and opaque to the optimiser, so the chain stays a chain. */
#define OPAQUE(x) __asm__ volatile("" : "+x"(x))

static double best_ns(int which, long n, int repeats)
{
    double best = 1e30;
    int r;
    for (r = 0; r < repeats; r++) {
        vec x = DUP(0.3f), y = DUP(which == 1 ? 1.0f : 1e-30f); /* no drift into subnormals */
        long i;
        double t0 = edgefx_bench_now(), dt;
        switch (which) {
        case 0: for (i = 0; i < n; i++) { x = x + y; OPAQUE(x); } break;
        case 1: for (i = 0; i < n; i++) { x = x * y; OPAQUE(x); } break;
        case 2: for (i = 0; i < n; i++) { x = FMA(x, DUP(1.0f), y); OPAQUE(x); } break;
        case 3: for (i = 0; i < n; i++) { x = TANH(x); OPAQUE(x); } break;
        default: for (i = 0; i < n; i++) { x = SIGMOID(x); OPAQUE(x); } break;
        }
        dt = (edgefx_bench_now() - t0) / (double)n;
        {
            float out[LANES];
            __builtin_memcpy(out, &x, sizeof out);
            if (out[0] == 12345.0f) puts(""); /* uses the result */
        }
        if (dt < best) best = dt;
    }
    return best * 1e9;
}

int main(int argc, char **argv)
{
    const long n = argc > 1 ? atol(argv[1]) : 5000000L;
    const int repeats = argc > 2 ? atoi(argv[2]) : 7;
    static const char *names[] = {"add", "mul", "fma", "tanh_fast", "sigmoid_fast"};
    int k;
    printf("lanes %d\n", LANES);
    for (k = 0; k < 5; k++) printf("%s %.4f\n", names[k], best_ns(k, n, repeats));
    return 0;
}
