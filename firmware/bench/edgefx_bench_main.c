/*
 * edgefx_bench_main.c - a generated model in a stand-alone program, for instruction counts
 * (valgrind --tool=callgrind) and perf: processes a deterministic guitar-like signal in
 * blocks through the bench driver and prints the time and a checksum.
 *
 *   cc -O3 -std=c99 -ffp-contract=off -I<model dir> -I. \
 *      -DEDGEFX_BENCH_HEADER='"<prefix>.h"' -DEDGEFX_BENCH_PREFIX=<prefix> \
 *      edgefx_bench_main.c edgefx_bench_driver.c <model sources>
 *   ./a.out [samples] [block] [fast]
 */
#include <stdio.h>
#include <stdlib.h>
#include "edgefx_bench_driver.h"
#include EDGEFX_BENCH_HEADER

#define EF_CAT2(a, b) a##b
#define EF_CAT(a, b) EF_CAT2(a, b)
#define EF_FN(suffix) EF_CAT(EDGEFX_BENCH_PREFIX, suffix)

static EF_FN(_state) state;

static void run_exact(void *s, const float *in, float *out, size_t n)
{
    EF_FN(_process)((EF_FN(_state) *)s, in, out, n);
}

static void run_fast(void *s, const float *in, float *out, size_t n)
{
    EF_FN(_process_fast)((EF_FN(_state) *)s, in, out, n);
}

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 48000u;
    const size_t block = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 48u;
    const int fast = argc > 3 ? atoi(argv[3]) : 0;
    float *in = (float *)malloc((n ? n : 1u) * sizeof(float));
    float *out = (float *)malloc((n ? n : 1u) * sizeof(float));
    double sum = 0.0, secs;
    uint32_t seed = 1u;
    size_t i;
    if (!in || !out) return 1;
    for (i = 0; i < n; i++) { /* decaying 110 Hz-ish triangle plus a little LCG noise */
        const float ph = (float)(i % 436u) / 436.0f;
        const float tri = ph < 0.5f ? 4.0f * ph - 1.0f : 3.0f - 4.0f * ph;
        seed = seed * 1664525u + 1013904223u;
        in[i] = 0.5f * tri * (1.0f - (float)(i % 12000u) / 12000.0f) + 1e-2f * ((float)(seed >> 9) / 8388608.0f - 0.5f);
    }
    EF_FN(_init)(&state);
    secs = edgefx_bench_process_blocks(fast ? run_fast : run_exact, &state, in, out, n, block);
    for (i = 0; i < n; i++) sum += (double)out[i];
    printf("%zu samples, block %zu, %s: %.3f ms (%.3f ms per 48000 samples), checksum %.9g\n", n, block,
           fast ? "fast" : "exact", 1e3 * secs, n ? 1e3 * secs * 48000.0 / (double)n : 0.0, sum);
    free(in);
    free(out);
    return 0;
}
