// Samplers: random search and TPE, both Optuna-compatible in behaviour. Each draw is seeded by
// (study seed, trial number, parameter name), so results repeat exactly and a resumed study
// draws what the uninterrupted one would have.
import { createRng, type Rng } from './rng';
import { DEFAULT_PARZEN, ParzenEstimator, type ParzenParameters } from './parzen';
import { toExternal, toInternal, type Distribution, type ParamValue } from './space';
import type { Direction, TrialRecord } from './trial';

export interface SampleContext {
  /** Every trial of the study except the one being sampled. */
  trials: readonly TrialRecord[];
  direction: Direction;
  trialNumber: number;
}

export interface Sampler {
  readonly name: string;
  sampleIndependent(ctx: SampleContext, paramName: string, dist: Distribution): ParamValue;
}

/** Uniform draw in Optuna's transformed space (log for log params, ±step/2 around stepped ones). */
export function sampleUniform(rng: Rng, dist: Distribution): ParamValue {
  if (dist.type === 'categorical') return dist.choices[Math.min(dist.choices.length - 1, Math.floor(rng.random() * dist.choices.length))]!;
  const clip = (v: number) => Math.min(Math.max(v, dist.low), dist.high);
  if (dist.type === 'float') {
    if (dist.log) return clip(Math.exp(rng.uniform(Math.log(dist.low), Math.log(dist.high))));
    if (dist.step !== undefined) {
      const s = rng.uniform(dist.low - 0.5 * dist.step, dist.high + 0.5 * dist.step);
      return clip(Math.round((s - dist.low) / dist.step) * dist.step + dist.low);
    }
    return rng.uniform(dist.low, dist.high);
  }
  if (dist.log) return clip(Math.round(Math.exp(rng.uniform(Math.log(dist.low - 0.5), Math.log(dist.high + 0.5)))));
  const q = dist.step ?? 1;
  const s = rng.uniform(dist.low - 0.5 * q, dist.high + 0.5 * q);
  return clip(Math.round((s - dist.low) / q) * q + dist.low);
}

export class RandomSampler implements Sampler {
  readonly name = 'random';
  constructor(readonly seed: number) {}
  sampleIndependent(ctx: SampleContext, paramName: string, dist: Distribution): ParamValue {
    return sampleUniform(createRng(this.seed, 'random', ctx.trialNumber, paramName), dist);
  }
}

export interface TpeOptions extends Partial<ParzenParameters> {
  seed: number;
  nStartupTrials?: number;
  nEiCandidates?: number;
  gamma?: (n: number) => number;
}

/** Optuna's default_gamma: the best 10% (at most 25) form l(x). */
export const defaultGamma = (n: number): number => Math.min(Math.ceil(0.1 * n), 25);

/** Sort key of a finished trial, as Optuna's _get_observation_pairs: (−step, signed value). */
function observationScore(t: TrialRecord, sign: number): [number, number] | null {
  if (t.state === 'complete') return t.value === null ? null : [-Infinity, sign * t.value];
  if (t.state === 'pruned') {
    const steps = Object.keys(t.intermediate).map(Number);
    if (steps.length === 0) return [1, 0];
    const step = Math.max(...steps);
    const v = t.intermediate[String(step)]!;
    return Number.isNaN(v) || v === null ? [-step, Infinity] : [-step, sign * v];
  }
  return null;
}

export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  readonly seed: number;
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  readonly gamma: (n: number) => number;
  readonly parzen: ParzenParameters;
  private readonly random: RandomSampler;

  constructor(options: TpeOptions) {
    this.seed = options.seed;
    this.nStartupTrials = options.nStartupTrials ?? 10;
    this.nEiCandidates = options.nEiCandidates ?? 24;
    this.gamma = options.gamma ?? defaultGamma;
    this.parzen = { ...DEFAULT_PARZEN, ...options };
    this.random = new RandomSampler(options.seed);
  }

  sampleIndependent(ctx: SampleContext, paramName: string, dist: Distribution): ParamValue {
    const sign = ctx.direction === 'minimize' ? 1 : -1;
    const scores: [number, number][] = [];
    const values: (number | null)[] = [];
    for (const t of ctx.trials) {
      const score = observationScore(t, sign);
      if (!score) continue;
      scores.push(score);
      const d = t.distributions[paramName];
      values.push(paramName in t.params && d ? toInternal(d, t.params[paramName]!) : null);
    }
    const n = scores.length;
    if (n < this.nStartupTrials) return this.random.sampleIndependent(ctx, paramName, dist);
    const nBelow = this.gamma(n);
    const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0][0] - b[0][0] || a[0][1] - b[0][1] || a[1] - b[1]).map(([, i]) => i);
    const belowIdx = order.slice(0, nBelow).sort((a, b) => a - b);
    const aboveIdx = order.slice(nBelow).sort((a, b) => a - b);
    const pick = (idx: number[]) => idx.map((i) => values[i]).filter((v): v is number => v !== null && !Number.isNaN(v));
    const below = new ParzenEstimator(pick(belowIdx), dist, this.parzen);
    const above = new ParzenEstimator(pick(aboveIdx), dist, this.parzen);
    const rng = createRng(this.seed, 'tpe', ctx.trialNumber, paramName);
    const samples = below.sample(rng, this.nEiCandidates);
    const logL = below.logPdf(samples);
    const logG = above.logPdf(samples);
    let best = 0;
    let bestScore = -Infinity;
    samples.forEach((_, i) => {
      const s = logL[i]! - logG[i]!;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    });
    return toExternal(dist, samples[best]!);
  }
}

export function makeSampler(name: 'tpe' | 'random', seed: number): Sampler {
  return name === 'tpe' ? new TpeSampler({ seed }) : new RandomSampler(seed);
}
