// Pruners. MedianPruner is Optuna's (PercentilePruner at 50%): once n_startup_trials have completed,
// a trial is pruned at step k (after n_warmup_steps) when its best intermediate value so far is
// worse than the median of completed trials' intermediate values at step k.
import type { Direction, TrialRecord } from './trial';

export interface Pruner {
  readonly name: string;
  prune(trials: readonly TrialRecord[], trial: TrialRecord, direction: Direction): boolean;
}

export class NopPruner implements Pruner {
  readonly name = 'none';
  prune(): boolean {
    return false;
  }
}

/** numpy.nanpercentile with linear interpolation. */
export function nanPercentile(values: number[], p: number): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = ((v.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

export interface PercentileOptions {
  nStartupTrials?: number;
  nWarmupSteps?: number;
  intervalSteps?: number;
  nMinTrials?: number;
}

export class PercentilePruner implements Pruner {
  readonly name: string = 'percentile';
  readonly nStartupTrials: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;
  readonly nMinTrials: number;

  constructor(
    readonly percentile: number,
    options: PercentileOptions = {},
  ) {
    this.nStartupTrials = options.nStartupTrials ?? 5;
    this.nWarmupSteps = options.nWarmupSteps ?? 0;
    this.intervalSteps = options.intervalSteps ?? 1;
    this.nMinTrials = options.nMinTrials ?? 1;
  }

  prune(trials: readonly TrialRecord[], trial: TrialRecord, direction: Direction): boolean {
    const completed = trials.filter((t) => t.state === 'complete' && t.number !== trial.number);
    if (completed.length === 0 || completed.length < this.nStartupTrials) return false;
    const steps = Object.keys(trial.intermediate).map(Number);
    if (steps.length === 0) return false;
    const step = Math.max(...steps);
    if (step < this.nWarmupSteps) return false;
    // Only the first report in each interval is checked.
    const nearestLower = Math.floor((step - this.nWarmupSteps) / this.intervalSteps) * this.intervalSteps + this.nWarmupSteps;
    const secondLast = steps.filter((s) => s !== step).reduce((m, s) => Math.max(m, s), -1);
    if (!(secondLast < nearestLower)) return false;
    const own = Object.values(trial.intermediate).filter((v) => !Number.isNaN(v));
    if (own.length === 0) return true;
    const best = direction === 'maximize' ? Math.max(...own) : Math.min(...own);
    const atStep = completed.map((t) => t.intermediate[String(step)]).filter((v): v is number => typeof v === 'number');
    if (atStep.length < this.nMinTrials) return false;
    const p = nanPercentile(atStep, direction === 'maximize' ? 100 - this.percentile : this.percentile);
    if (Number.isNaN(p)) return false;
    return direction === 'maximize' ? best < p : best > p;
  }
}

export class MedianPruner extends PercentilePruner {
  override readonly name = 'median';
  constructor(options: PercentileOptions = {}) {
    super(50, options);
  }
}

export function makePruner(name: 'median' | 'none'): Pruner {
  return name === 'median' ? new MedianPruner() : new NopPruner();
}
