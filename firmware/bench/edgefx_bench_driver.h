/*
 * edgefx_bench_driver.h - host-only benchmark driver: a whole signal through a model's process
 * function in fixed-size blocks, looped and timed in C.
 *
 * This is what an audio callback pays per block (one call per block, no Python, no
 * marshalling). It is not part of a model bundle: the benchmark builds it into its own small
 * host library and passes it the generated model's process function.
 */
#ifndef EDGEFX_BENCH_DRIVER_H
#define EDGEFX_BENCH_DRIVER_H

#include <stddef.h>

/* A generated <prefix>_process / <prefix>_process_fast, with its state as an opaque pointer. */
typedef void (*edgefx_bench_process_fn)(void *state, const float *in, float *out, size_t n);

/* Seconds on CLOCK_MONOTONIC (for timing other loops the same way, e.g. edgefx_latency.c). */
double edgefx_bench_now(void);

/* Process in[0..n) into out in blocks of `block` samples (the last block may be shorter),
 * one call per block; returns the elapsed CLOCK_MONOTONIC time in seconds. */
double edgefx_bench_process_blocks(edgefx_bench_process_fn process, void *state, const float *in, float *out,
                                   size_t n, size_t block);

#endif /* EDGEFX_BENCH_DRIVER_H */
