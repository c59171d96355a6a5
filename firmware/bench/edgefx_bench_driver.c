/* edgefx_bench_driver.c - block loop timed in C (see edgefx_bench_driver.h). POSIX host only. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 199309L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c99 */
#endif
#include <time.h>
#include "edgefx_bench_driver.h"

double edgefx_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double edgefx_bench_process_blocks(edgefx_bench_process_fn process, void *state, const float *in, float *out,
                                   size_t n, size_t block)
{
    double t0;
    size_t i;
    if (block == 0u) block = n ? n : 1u;
    t0 = edgefx_bench_now();
    for (i = 0; i < n; i += block) {
        const size_t m = n - i < block ? n - i : block;
        process(state, in + i, out + i, m);
    }
    return edgefx_bench_now() - t0;
}
