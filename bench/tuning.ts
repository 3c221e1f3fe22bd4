// The tuning bench: Glasswing's TPE against Optuna's TPE (the same test functions, trial budget and
// number of seeds, run by /usr/bin/python3 engine/tuning/optuna_bench.py) and against random
// search. Best value found per seed, summarised as mean / median best and mean regret.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createStudy } from '../engine/tuning/study';
import { RandomSampler, TpeSampler } from '../engine/tuning/samplers';
import { NopPruner } from '../engine/tuning/pruners';
import { TEST_FUNCTIONS, testObjective } from '../engine/tuning/test-functions';

export interface TuningBenchOptions {
  /** Trials per search (default 50). */
  trials?: number;
  /** Seeds 0..N-1 per function and sampler (default 20). */
  seeds?: number;
  functions?: string[];
  /** Python with optuna (default /usr/bin/python3); null skips Optuna. */
  python?: string | null;
  log?: (line: string) => void;
}

export interface SamplerSummary {
  sampler: string;
  bests: number[];
  mean: number;
  median: number;
  meanRegret: number;
  std: number;
  seconds: number;
}

export interface TuningBenchReport {
  trials: number;
  seeds: number;
  optunaVersion: string | null;
  /** Why Optuna did not run, when it did not. */
  optunaError: string | null;
  functions: { name: string; optimum: number; samplers: SamplerSummary[] }[];
}

function summarise(sampler: string, bests: number[], optimum: number, seconds: number): SamplerSummary {
  const sorted = [...bests].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const mean = bests.reduce((a, b) => a + b, 0) / bests.length;
  const std = Math.sqrt(bests.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, bests.length - 1));
  return { sampler, bests, mean, median, meanRegret: mean - optimum, std, seconds };
}

interface OptunaOutput {
  optuna: string;
  results: Record<string, { tpe: number[]; random?: number[] }>;
  seconds: Record<string, number>;
}

function runOptuna(python: string, trials: number, seeds: number, functions: string[]): Promise<OptunaOutput> {
  const script = path.join(__dirname, '..', 'engine', 'tuning', 'optuna_bench.py');
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, '--trials', String(trials), '--seeds', String(seeds), '--functions', functions.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(err.trim().split('\n').pop() || `exit code ${code}`));
      try {
        resolve(JSON.parse(out) as OptunaOutput);
      } catch (e) {
        reject(new Error(`unreadable output: ${(e as Error).message}`));
      }
    });
  });
}

async function runOurs(kind: 'tpe' | 'random', fnName: string, trials: number, seeds: number): Promise<{ bests: number[]; seconds: number }> {
  const fn = TEST_FUNCTIONS[fnName]!;
  const objective = testObjective(fn);
  const bests: number[] = [];
  const t0 = performance.now();
  for (let seed = 0; seed < seeds; seed++) {
    const study = createStudy({ direction: 'minimize', seed, sampler: kind === 'tpe' ? new TpeSampler({ seed }) : new RandomSampler(seed), pruner: new NopPruner() });
    await study.optimize(objective, trials);
    bests.push(study.bestTrial!.value!);
    // Let the Optuna child's output drain between searches.
    await new Promise((r) => setImmediate(r));
  }
  return { bests, seconds: (performance.now() - t0) / 1000 };
}

export async function runTuningBench(opts: TuningBenchOptions = {}): Promise<TuningBenchReport> {
  const trials = opts.trials ?? 50;
  const seeds = opts.seeds ?? 20;
  const functions = opts.functions ?? ['branin', 'hartmann6'];
  for (const f of functions) if (!TEST_FUNCTIONS[f]) throw new Error(`Unknown test function "${f}".`);
  const python = opts.python === undefined ? '/usr/bin/python3' : opts.python;
  const log = opts.log ?? (() => undefined);
  // Optuna runs in its own process while Glasswing's samplers run here.
  log(python ? `tuning bench: Optuna TPE via ${python} (${functions.join(', ')}, ${trials} trials × ${seeds} seeds)` : 'tuning bench: Optuna skipped');
  const optunaPromise: Promise<OptunaOutput | Error | null> = python ? runOptuna(python, trials, seeds, functions).catch((e: Error) => e) : Promise.resolve(null);
  const ours: Record<string, { tpe: { bests: number[]; seconds: number }; random: { bests: number[]; seconds: number } }> = {};
  for (const f of functions) {
    log(`tuning bench: Glasswing TPE and random on ${f}`);
    ours[f] = { tpe: await runOurs('tpe', f, trials, seeds), random: await runOurs('random', f, trials, seeds) };
  }
  const optuna = await optunaPromise;
  const report: TuningBenchReport = {
    trials,
    seeds,
    optunaVersion: optuna && !(optuna instanceof Error) ? optuna.optuna : null,
    optunaError: optuna instanceof Error ? optuna.message : python ? null : 'skipped',
    functions: functions.map((f) => {
      const fn = TEST_FUNCTIONS[f]!;
      const samplers = [summarise('glasswing-tpe', ours[f]!.tpe.bests, fn.optimum, ours[f]!.tpe.seconds)];
      if (optuna && !(optuna instanceof Error)) samplers.push(summarise('optuna-tpe', optuna.results[f]!.tpe, fn.optimum, optuna.seconds[f] ?? NaN));
      samplers.push(summarise('glasswing-random', ours[f]!.random.bests, fn.optimum, ours[f]!.random.seconds));
      return { name: f, optimum: fn.optimum, samplers };
    }),
  };
  return report;
}

export function formatTuningBench(report: TuningBenchReport): string {
  const lines = [
    `Tuning: best value after ${report.trials} trials, ${report.seeds} seeds${report.optunaVersion ? ` (Optuna ${report.optunaVersion})` : ''}${report.optunaError ? ` — Optuna not run: ${report.optunaError}` : ''}`,
    `${'function'.padEnd(10)}  ${'sampler'.padEnd(16)}  ${'mean best'.padStart(10)}  ${'median best'.padStart(11)}  ${'std'.padStart(7)}  ${'mean regret'.padStart(11)}  ${'seconds'.padStart(7)}`,
  ];
  for (const f of report.functions) {
    for (const s of f.samplers) {
      lines.push(
        `${f.name.padEnd(10)}  ${s.sampler.padEnd(16)}  ${s.mean.toFixed(4).padStart(10)}  ${s.median.toFixed(4).padStart(11)}  ${s.std.toFixed(4).padStart(7)}  ${s.meanRegret.toFixed(4).padStart(11)}  ${s.seconds.toFixed(1).padStart(7)}`,
      );
    }
  }
  return lines.join('\n');
}
