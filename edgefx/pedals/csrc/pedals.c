/*
 * edgefx reference pedals: the oversampled nonlinear core.
 *
 * One entry point, ef_render(), runs a block-streaming chain
 *
 *     x (audio rate) -> 2x up -> 2x up ... -> core -> ... 2x down -> 2x down -> y (audio rate)
 *
 * The resampling stages are linear-phase FIR low-passes designed in Python (Kaiser windows,
 * >= 120 dB stop-band) and applied here in polyphase form; the filters and every circuit
 * constant arrive from Python so this file holds no magic numbers besides solver tolerances.
 *
 * The core (one sample at the oversampled rate h = 1/fs_os) is
 *
 *   1. op-amp rail:   u1 = Vr * tanh(u / Vr)                      (skipped when Vr <= 0)
 *   2. bias:          e2 += k (u1^2 - e2), k = attack if u1^2 > e2 else release
 *                     u2 = u1 + Vb0 - Kb * sqrt(e2)              (the envelope moves the bias point)
 *   3. diode clipper: C dv/dt = (u2 - v)/R - Isp (exp(v/Vtp) - 1) + Isn (exp(-v/Vtn) - 1)
 *                     solved with the trapezoidal rule; per step the implicit equation
 *                       g(v) = (1 + a) v + bp (exp(v/Vtp) - 1) - bn (exp(-v/Vtn) - 1) - p = 0,
 *                       a = h / (2 R C), bp = h Isp / (2 C), bn = h Isn / (2 C),
 *                     is strictly increasing in v, so a clamped Newton iteration converges.
 *   4. output:        y = v - v_rest  (v_rest: the DC operating point with no signal)
 *
 * Plain C99 and float64 throughout; no global state, so concurrent calls are safe.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EF_MAX_STAGES 7
#define EF_BLOCK 256 /* audio-rate samples per block */

/* Core parameters, in the order Python packs them. */
enum {
    P_VR,      /* op-amp rail voltage; <= 0 disables the rail stage */
    P_ATTACK,  /* envelope attack coefficient per oversampled step (0..1] */
    P_RELEASE, /* envelope release coefficient per oversampled step (0..1] */
    P_VB0,     /* static bias voltage added before the clipper */
    P_KB,      /* bias shift per volt of envelope */
    P_A,       /* h / (2 R C) */
    P_BP,      /* h Isp / (2 C)  (positive-going diode) */
    P_VTP,     /* n Vt of the positive-going diode */
    P_BN,      /* h Isn / (2 C)  (negative-going diode) */
    P_VTN,     /* n Vt of the negative-going diode */
    P_MAXSTEP, /* Newton step clamp, volts */
    P_COUNT
};

typedef struct {
    int taps;        /* filter length N (odd) */
    int m;           /* taps per polyphase branch: (N + 1) / 2 */
    const double *h; /* N coefficients, unity DC gain */
    double *up_hist; /* m - 1 past inputs of the interpolator */
    double *dn_even; /* m past even-phase inputs of the decimator */
    double *dn_odd;  /* m past odd-phase inputs of the decimator */
} ef_stage;

typedef struct {
    double p[P_COUNT];
    double env2;   /* envelope (mean-square) state */
    double v;      /* capacitor voltage */
    double q;      /* trapezoidal carry: v + (h/2) f(u, v) of the previous step */
    double rhs;    /* right-hand side of the previous step */
    double slope;  /* g'(v) of the previous step, for the predictor */
    double v_rest; /* operating point with no signal */
} ef_core;

/* Diode currents scaled by h/(2C): bp (e^{v/Vtp} - 1) - bn (e^{-v/Vtn} - 1), and its derivative. */
static inline void diode_terms(const double *p, double v, double *f, double *df)
{
    double ep = exp(v / p[P_VTP]);
    double en = (p[P_VTN] == p[P_VTP]) ? 1.0 / ep : exp(-v / p[P_VTN]);
    *f = p[P_BP] * (ep - 1.0) - p[P_BN] * (en - 1.0);
    *df = p[P_BP] * ep / p[P_VTP] + p[P_BN] * en / p[P_VTN];
}

/* Solve (1 + a) v + d(v) = rhs for v, starting from guess; *slope gets g'(v) at the answer. */
static double solve_step(const double *p, double rhs, double guess, double *slope)
{
    const double a1 = 1.0 + p[P_A];
    const double maxstep = p[P_MAXSTEP];
    double v = guess;
    double f, df = 0.0;
    for (int it = 0; it < 60; it++) {
        diode_terms(p, v, &f, &df);
        double dv = (a1 * v + f - rhs) / (a1 + df);
        /* Clamp: far from the root the exponential makes Newton overshoot; g is monotonic so
           short steps in the right direction always make progress. */
        if (dv > maxstep) dv = maxstep;
        if (dv < -maxstep) dv = -maxstep;
        v -= dv;
        /* Quadratic convergence: after a step of dv the error is about dv^2 / Vt, < 1e-12 V here. */
        if (fabs(dv) < 1e-7) break;
    }
    *slope = a1 + df;
    return v;
}

static double rail(const double *p, double u)
{
    return p[P_VR] > 0.0 ? p[P_VR] * tanh(u / p[P_VR]) : u;
}

static void core_init(ef_core *c, const double *params)
{
    memcpy(c->p, params, sizeof c->p);
    c->env2 = 0.0;
    /* Rest state: u = 0, bias Vb0, dv/dt = 0 -> (u - v)/R = diode current, i.e. 2a v + 2 d(v) = 2a u. */
    const double *p = c->p;
    double u = p[P_VB0];
    double v = 0.0;
    for (int it = 0; it < 200; it++) {
        double f, df;
        diode_terms(p, v, &f, &df);
        double dv = (p[P_A] * (v - u) + f) / (p[P_A] + df);
        if (dv > p[P_MAXSTEP]) dv = p[P_MAXSTEP];
        if (dv < -p[P_MAXSTEP]) dv = -p[P_MAXSTEP];
        v -= dv;
        if (fabs(dv) < 1e-14) break;
    }
    double f, df;
    diode_terms(p, v, &f, &df);
    c->v = v;
    c->v_rest = v;
    c->slope = 1.0 + p[P_A] + df;
    c->q = v + p[P_A] * (u - v) - f; /* v + (h/2) f(u, v) */
    c->rhs = c->q + p[P_A] * u;
}

static void core_run(ef_core *c, double *buf, int n)
{
    const double *p = c->p;
    const double att = p[P_ATTACK], rel = p[P_RELEASE];
    const double a = p[P_A];
    double env2 = c->env2, v = c->v, q = c->q, rhs_prev = c->rhs, slope = c->slope;
    for (int i = 0; i < n; i++) {
        double u = rail(p, buf[i]);
        if (p[P_KB] != 0.0) {
            double s = u * u;
            env2 += (s > env2 ? att : rel) * (s - env2);
            u += p[P_VB0] - p[P_KB] * sqrt(env2);
        } else {
            u += p[P_VB0];
        }
        double rhs = q + a * u;
        /* Predictor: v solved g_prev(v) = rhs_prev, so one Newton step from it with the
           previous slope is nearly free and usually leaves one or two iterations to do. */
        double dv = (rhs - rhs_prev) / slope;
        if (dv > p[P_MAXSTEP]) dv = p[P_MAXSTEP];
        if (dv < -p[P_MAXSTEP]) dv = -p[P_MAXSTEP];
        double vn = solve_step(p, rhs, v + dv, &slope);
        /* Next carry v + (h/2) f(u, v): the step equation gives d(vn) = rhs - (1 + a) vn, so
           no extra exp() is needed. */
        q = 2.0 * vn - rhs + a * u;
        rhs_prev = rhs;
        v = vn;
        buf[i] = vn - c->v_rest;
    }
    c->env2 = env2;
    c->v = v;
    c->q = q;
    c->rhs = rhs_prev;
    c->slope = slope;
}

/*
 * acc[i] += sum_t c[t] * src[t][i] for nt <= 4 taps per pass over acc (fewer loads and stores
 * of acc than one pass per tap).  Element-wise arithmetic in a fixed order, so the result is the
 * same bits whatever vector width the compiler picks; the AVX2 clone only makes it faster.
 */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void axpy4(double *restrict acc, int n, int nt, const double *c, const double *const *src)
{
    if (nt == 4) {
        const double c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
        const double *s0 = src[0], *s1 = src[1], *s2 = src[2], *s3 = src[3];
        for (int i = 0; i < n; i++) acc[i] += (c0 * s0[i] + c1 * s1[i]) + (c2 * s2[i] + c3 * s3[i]);
    } else {
        for (int t = 0; t < nt; t++) {
            const double ct = c[t], *st = src[t];
            for (int i = 0; i < n; i++) acc[i] += ct * st[i];
        }
    }
}

/* 2x interpolation: out[2i + ph] = 2 sum_k h[2k + ph] in[i - k].  `work` holds m - 1 + n. */
static void stage_up(ef_stage *s, const double *in, int n, double *out, double *work, double *acc)
{
    const int m = s->m;
    memcpy(work, s->up_hist, (size_t)(m - 1) * sizeof *work);
    memcpy(work + m - 1, in, (size_t)n * sizeof *work);
    for (int ph = 0; ph < 2; ph++) {
        double c[4];
        const double *src[4];
        int nt = 0;
        memset(acc, 0, (size_t)n * sizeof *acc);
        for (int k = 0; k < m; k++) {
            int t = 2 * k + ph;
            if (t >= s->taps) break;
            if (s->h[t] == 0.0) continue; /* half-band filters: every other tap is zero */
            c[nt] = 2.0 * s->h[t];
            src[nt++] = work + m - 1 - k;
            if (nt == 4) { axpy4(acc, n, nt, c, src); nt = 0; }
        }
        axpy4(acc, n, nt, c, src);
        for (int i = 0; i < n; i++) out[2 * i + ph] = acc[i];
    }
    memcpy(s->up_hist, work + n, (size_t)(m - 1) * sizeof *work);
}

/* 2x decimation: out[i] = sum_k h[k] in[2i - k].  `ev`, `od` hold m + n each. */
static void stage_down(ef_stage *s, const double *in, int n, double *out, double *ev, double *od)
{
    const int m = s->m;
    memcpy(ev, s->dn_even, (size_t)m * sizeof *ev);
    memcpy(od, s->dn_odd, (size_t)m * sizeof *od);
    for (int i = 0; i < n; i++) {
        ev[m + i] = in[2 * i];
        od[m + i] = in[2 * i + 1];
    }
    double c[4];
    const double *src[4];
    int nt = 0;
    memset(out, 0, (size_t)n * sizeof *out);
    for (int k = 0; k < s->taps; k++) {
        if (s->h[k] == 0.0) continue;
        int q = k / 2;
        /* even k: in[2(i - q)] = ev[m + i - q]; odd k: in[2(i - q - 1) + 1] = od[m + i - q - 1] */
        c[nt] = s->h[k];
        src[nt++] = (k % 2 == 0) ? ev + m - q : od + m - q - 1;
        if (nt == 4) { axpy4(out, n, nt, c, src); nt = 0; }
    }
    axpy4(out, n, nt, c, src);
    memcpy(s->dn_even, ev + n, (size_t)m * sizeof *ev);
    memcpy(s->dn_odd, od + n, (size_t)m * sizeof *od);
}

/*
 * Render n audio-rate samples.  Stage j resamples between 2^j and 2^(j+1) times the audio
 * rate with taps[j] coefficients taken in order from `coef`.  Returns 0, or -1 when memory
 * runs out, -2 for bad arguments.
 */
int ef_render(const double *params, int n_stages, const int *taps, const double *coef,
              const double *x, double *y, long n)
{
    if (n_stages < 0 || n_stages > EF_MAX_STAGES || n < 0) return -2;
    ef_core core;
    core_init(&core, params);

    ef_stage st[EF_MAX_STAGES];
    memset(st, 0, sizeof st);
    const int big = EF_BLOCK << n_stages; /* samples per block at the top rate */
    int maxm = 1;
    int ok = 1;
    const double *hp = coef;
    for (int j = 0; j < n_stages; j++) {
        if (taps[j] < 1 || taps[j] % 2 == 0) return -2;
        st[j].taps = taps[j];
        st[j].m = (taps[j] + 1) / 2;
        st[j].h = hp;
        hp += taps[j];
        if (st[j].m > maxm) maxm = st[j].m;
        st[j].up_hist = calloc((size_t)st[j].m, sizeof(double));
        st[j].dn_even = calloc((size_t)st[j].m, sizeof(double));
        st[j].dn_odd = calloc((size_t)st[j].m, sizeof(double));
        if (!st[j].up_hist || !st[j].dn_even || !st[j].dn_odd) ok = 0;
    }
    double *bufa = malloc(sizeof(double) * (size_t)big);
    double *bufb = malloc(sizeof(double) * (size_t)big);
    double *work = malloc(sizeof(double) * (size_t)(big + 2 * maxm));
    double *work2 = malloc(sizeof(double) * (size_t)(big + 2 * maxm));
    if (!bufa || !bufb || !work || !work2) ok = 0;

    if (ok) {
        for (long start = 0; start < n; start += EF_BLOCK) {
            int nb = (int)((n - start) < EF_BLOCK ? (n - start) : EF_BLOCK);
            double *cur = bufa, *nxt = bufb, *tmp;
            memcpy(cur, x + start, (size_t)nb * sizeof *cur);
            int len = nb;
            for (int j = 0; j < n_stages; j++) {
                stage_up(&st[j], cur, len, nxt, work, work2);
                len *= 2;
                tmp = cur; cur = nxt; nxt = tmp;
            }
            core_run(&core, cur, len);
            for (int j = n_stages - 1; j >= 0; j--) {
                len /= 2;
                stage_down(&st[j], cur, len, nxt, work, work2);
                tmp = cur; cur = nxt; nxt = tmp;
            }
            memcpy(y + start, cur, (size_t)nb * sizeof *cur);
        }
    }
    for (int j = 0; j < n_stages; j++) {
        free(st[j].up_hist);
        free(st[j].dn_even);
        free(st[j].dn_odd);
    }
    free(bufa);
    free(bufb);
    free(work);
    free(work2);
    return ok ? 0 : -1;
}
