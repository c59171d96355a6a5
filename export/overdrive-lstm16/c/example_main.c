/*
 * example_main.c - stream raw float32 samples (native byte order) from stdin through the model
 * to stdout, processing in place.
 *
 *   usage: example_main [--fast] [--seed N]
 *     --seed N   random block sizes 1..512 (a deterministic LCG), to exercise streaming
 *   e.g.  ./example_main < in.f32 > out.f32
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "edgefx_overdrive_lstm16.h"

static edgefx_overdrive_lstm16_state state;
static float buf[512];

int main(int argc, char **argv)
{
    int fast = 0;
    int random_blocks = 0;
    uint32_t seed = 1u;
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fast") == 0) {
            fast = 1;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            random_blocks = 1;
            seed = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--fast] [--seed N] < in.f32 > out.f32\n", argv[0]);
            return 2;
        }
    }
    edgefx_overdrive_lstm16_init(&state);
    for (;;) {
        size_t want = 512u, got;
        if (random_blocks) {
            seed = seed * 1664525u + 1013904223u;
            want = 1u + (size_t)((seed >> 8) % 512u);
        }
        got = fread(buf, sizeof(float), want, stdin);
        if (got == 0) break;
        if (fast)
            edgefx_overdrive_lstm16_process_fast(&state, buf, buf, got);
        else
            edgefx_overdrive_lstm16_process(&state, buf, buf, got);
        if (fwrite(buf, sizeof(float), got, stdout) != got) return 1;
    }
    return ferror(stdin) ? 1 : 0;
}
