// The univariate Parzen estimator of Optuna's TPESampler (optuna/samplers/_tpe/parzen_estimator.py,
// v3.1 defaults): one truncated Gaussian per observation plus a prior component, bandwidths from
// the gaps to the neighbours (endpoints not considered), the "magic clip" lower bound, log space
// for log parameters, discretised mass for stepped parameters, and a smoothed categorical kernel.
import type { Distribution } from './space';
import { logGaussMass, logpdf as truncLogpdf, ppf } from './truncnorm';
import type { Rng } from './rng';

export interface ParzenParameters {
  considerPrior: boolean;
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
  weights: (n: number) => number[];
  /**
   * Optuna 3.1's truncated-normal log density leaves out the −log(σ) term; true reproduces that
   * exactly (the default, to match the installed Optuna), false uses the textbook density.
   */
  optuna31LogPdf: boolean;
}

/** Optuna's default_weights: flat for the 25 most recent, a linear ramp before them. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

export const DEFAULT_PARZEN: ParzenParameters = {
  considerPrior: true,
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
  weights: defaultWeights,
  optuna31LogPdf: true,
};

interface Bounds {
  low: number;
  high: number;
  q: number | null;
}

function parzenBounds(d: Exclude<Distribution, { type: 'categorical' }>): Bounds {
  if (d.type === 'float') {
    if (d.log) return { low: Math.log(d.low), high: Math.log(d.high), q: null };
    if (d.step !== undefined) return { low: d.low - 0.5 * d.step, high: d.high + 0.5 * d.step, q: d.step };
    return { low: d.low, high: d.high, q: null };
  }
  if (d.log) return { low: Math.log(d.low - 0.5), high: Math.log(d.high + 0.5), q: null };
  const q = d.step ?? 1;
  return { low: d.low - 0.5 * q, high: d.high + 0.5 * q, q };
}

function argsort(values: number[]): number[] {
  return values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
}

function logSumExp(xs: number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return Math.log(s) + m;
}

export class ParzenEstimator {
  private readonly weights: number[];
  private readonly bounds: Bounds | null = null;
  private readonly mus: number[] = [];
  private readonly sigmas: number[] = [];
  private readonly categorical: number[][] = [];

  /** `observations` are internal values (categorical index; numbers untransformed). */
  constructor(
    observations: number[],
    private readonly dist: Distribution,
    private readonly params: ParzenParameters = DEFAULT_PARZEN,
  ) {
    const n = observations.length;
    const considerPrior = params.considerPrior || n === 0;
    const w = params.weights(n).slice(0, n);
    const weights = considerPrior ? [...w, params.priorWeight] : w;
    const total = weights.reduce((a, b) => a + b, 0);
    this.weights = weights.map((x) => x / total);
    if (dist.type === 'categorical') {
      const k = dist.choices.length;
      const rows = considerPrior ? n + 1 : n;
      const value = params.priorWeight / rows;
      for (let r = 0; r < rows; r++) {
        const row = new Array<number>(k).fill(value);
        if (r < n) row[Math.round(observations[r]!)]! += 1;
        const s = row.reduce((a, b) => a + b, 0);
        this.categorical.push(row.map((x) => x / s));
      }
      return;
    }
    const b = parzenBounds(dist);
    this.bounds = b;
    const obs = dist.log ? observations.map(Math.log) : observations;
    const mus = considerPrior ? [...obs, 0.5 * (b.low + b.high)] : [...obs];
    const order = argsort(mus);
    const sorted = order.map((i) => mus[i]!);
    const withEnds = [b.low, ...sorted, b.high];
    const sortedSigmas = sorted.map((_, i) => Math.max(withEnds[i + 1]! - withEnds[i]!, withEnds[i + 2]! - withEnds[i + 1]!));
    if (!params.considerEndpoints && withEnds.length >= 4) {
      sortedSigmas[0] = withEnds[2]! - withEnds[1]!;
      sortedSigmas[sortedSigmas.length - 1] = withEnds[withEnds.length - 2]! - withEnds[withEnds.length - 3]!;
    }
    const sigmas = new Array<number>(mus.length);
    order.forEach((orig, sortedPos) => (sigmas[orig] = sortedSigmas[sortedPos]!));
    const maxSigma = b.high - b.low;
    const minSigma = params.considerMagicClip ? (b.high - b.low) / Math.min(100, 1 + mus.length) : 1e-12;
    for (let i = 0; i < sigmas.length; i++) sigmas[i] = Math.min(Math.max(sigmas[i]!, minSigma), maxSigma);
    if (considerPrior) sigmas[n] = b.high - b.low;
    this.mus = mus;
    this.sigmas = sigmas;
  }

  /** `size` draws, as internal values (categorical index; numbers in the parameter's own scale). */
  sample(rng: Rng, size: number): number[] {
    const active: number[] = [];
    for (let i = 0; i < size; i++) active.push(rng.choice(this.weights));
    const d = this.dist;
    if (d.type === 'categorical') {
      return active.map((a) => {
        const probs = this.categorical[a]!;
        const u = rng.random();
        let cum = 0;
        let count = 0;
        for (const p of probs) {
          cum += p;
          if (cum < u) count++;
        }
        return Math.min(count, probs.length - 1);
      });
    }
    const b = this.bounds!;
    const raw = active.map((a) => {
      const mu = this.mus[a]!;
      const sigma = this.sigmas[a]!;
      return ppf(rng.random(), (b.low - mu) / sigma, (b.high - mu) / sigma) * sigma + mu;
    });
    return raw.map((s) => this.fromUniform(s));
  }

  private fromUniform(s: number): number {
    const d = this.dist as Exclude<Distribution, { type: 'categorical' }>;
    const clip = (v: number) => Math.min(Math.max(v, d.low), d.high);
    if (d.type === 'float') {
      if (d.log) return Math.exp(s);
      if (d.step !== undefined) return clip(Math.round((s - d.low) / d.step) * d.step + d.low);
      return s;
    }
    if (d.log) return clip(Math.round(Math.exp(s)));
    const q = d.step ?? 1;
    return clip(Math.round((s - d.low) / q) * q + d.low);
  }

  /** log density of the mixture at each internal value. */
  logPdf(samples: number[]): number[] {
    const d = this.dist;
    const logW = this.weights.map(Math.log);
    if (d.type === 'categorical') {
      return samples.map((s) => logSumExp(this.categorical.map((row, k) => Math.log(row[Math.round(s)]!) + logW[k]!)));
    }
    const b = this.bounds!;
    return samples.map((x0) => {
      const x = d.log ? Math.log(x0) : x0;
      const terms = this.mus.map((mu, k) => {
        const sigma = this.sigmas[k]!;
        const a = (b.low - mu) / sigma;
        const hb = (b.high - mu) / sigma;
        let lp: number;
        if (b.q === null) {
          lp = truncLogpdf(x, a, hb, mu, sigma);
          if (!this.params.optuna31LogPdf) lp -= Math.log(sigma);
        } else {
          const upper = Math.min(x + b.q / 2, b.high);
          const lower = Math.max(x - b.q / 2, b.low);
          lp = logGaussMass((lower - mu) / sigma, (upper - mu) / sigma) - logGaussMass(a, hb);
        }
        return lp + logW[k]!;
      });
      return logSumExp(terms);
    });
  }
}
