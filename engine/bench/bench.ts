// Training and inference throughput of the template models on each available backend, with PyTorch
// CPU on the same models in the same run as the yardstick. Used by `npm run bench` and `glasswing bench`.
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, listBackends, useBackend } from '../backends';
import { registerFastKernels, kernelThreads } from '../kernels';
import { getTemplate } from '../../common/model/templates';

export type BenchModel = 'lenet5' | 'mnist-mlp' | 'iris-mlp';
export const BENCH_MODELS: BenchModel[] = ['lenet5', 'mnist-mlp', 'iris-mlp'];

export interface BenchOptions {
  models?: BenchModel[];
  /** Concrete backends to measure; default: every available one. */
  backends?: string[];
  batchSize?: number;
  /** Seconds of training to time per model and backend (inference gets half). */
  seconds?: number;
  /** Also run the PyTorch CPU reference when /usr/bin/python3 has torch (default true). */
  pytorch?: boolean;
  /** Also time one model.fit epoch over this many samples of LeNet-5 (0: skip). */
  epochSamples?: number;
  /** Progress lines (to stderr in the CLI). */
  log?: (line: string) => void;
}

export interface BenchResult {
  model: string;
  backend: string;
  batchSize: number;
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
}

export interface BenchRatio {
  model: string;
  backend: string;
  /** Glasswing samples/s divided by PyTorch's, same model, same run. */
  train: number;
  infer: number;
}

export interface EpochResult {
  model: string;
  backend: string;
  samples: number;
  batchSize: number;
  seconds: number;
}

export interface BenchReport {
  machine: { cpu: string; cores: number; memoryGiB: number; platform: string; node: string; tfjs: string; kernelThreads: number };
  results: BenchResult[];
  pytorch: (BenchResult & { threads?: number; version?: string })[];
  /** Why PyTorch was not measured, when it was not. */
  pytorchSkipped?: string;
  ratios: BenchRatio[];
  epochs: EpochResult[];
}

function inputShape(model: BenchModel): { shape: number[]; classes: number } {
  if (model === 'lenet5') return { shape: [28, 28, 1], classes: 10 };
  if (model === 'mnist-mlp') return { shape: [784], classes: 10 };
  return { shape: [4], classes: 3 };
}

async function buildModel(model: BenchModel): Promise<tfl.LayersModel> {
  const m = await tfl.models.modelFromJSON({ modelTopology: getTemplate(model) as unknown as tf.io.ModelJSON['modelTopology'] });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return m;
}

/** Calls `step` (warmed up first) until `seconds` pass; returns steps per second. */
async function timed(step: () => Promise<void>, seconds: number): Promise<number> {
  for (let i = 0; i < 3; i++) await step();
  let n = 0;
  const t0 = performance.now();
  for (;;) {
    await step();
    n++;
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds) return n / dt;
  }
}

async function measure(model: BenchModel, backend: string, batchSize: number, seconds: number): Promise<BenchResult> {
  const m = await buildModel(model);
  const { shape, classes } = inputShape(model);
  const x = tf.randomUniform([batchSize, ...shape]);
  const y = tf.oneHot(tf.randomUniform([batchSize], 0, classes, 'int32'), classes);
  const train = await timed(async () => {
    await m.trainOnBatch(x, y);
  }, seconds);
  const infer = await timed(async () => {
    // One batch of batchSize, as PyTorch is timed (predict's own default would split it in 32s).
    const out = m.predict(x, { batchSize }) as tf.Tensor;
    out.dataSync();
    out.dispose();
  }, seconds / 2);
  tf.dispose([x, y]);
  m.dispose();
  return { model, backend, batchSize, trainSamplesPerSec: round(train * batchSize), inferSamplesPerSec: round(infer * batchSize) };
}

/** Wall time of one model.fit epoch (shuffled, batchSize) over `samples` synthetic digits. */
async function epoch(model: BenchModel, backend: string, samples: number, batchSize: number): Promise<EpochResult> {
  const m = await buildModel(model);
  const { shape, classes } = inputShape(model);
  const x = tf.randomUniform([samples, ...shape]);
  const y = tf.oneHot(tf.randomUniform([samples], 0, classes, 'int32'), classes);
  const t0 = performance.now();
  await m.fit(x, y, { epochs: 1, batchSize, shuffle: true, verbose: 0 });
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  m.dispose();
  return { model, backend, samples, batchSize, seconds: Math.round(seconds * 100) / 100 };
}

const round = (v: number): number => Math.round(v * 10) / 10;

function pytorchScript(): string {
  // Sources run as CommonJS (tsx, and the esbuild bundle), so __dirname is defined.
  const here = __dirname;
  // Next to this file in the source tree; bundled builds find it from the package root.
  for (const p of [path.join(here, 'pytorch_bench.py'), path.resolve(here, '../../engine/bench/pytorch_bench.py'), path.resolve('engine/bench/pytorch_bench.py')]) {
    if (existsSync(p)) return p;
  }
  return path.join(here, 'pytorch_bench.py');
}

/** Runs the PyTorch reference in a child process; returns its results or why it could not. */
export function runPytorch(models: string[], batchSize: number, seconds: number): { results: BenchReport['pytorch']; skipped?: string } {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { results: [], skipped: `${python} not found` };
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return { results: [], skipped: 'PyTorch is not installed for /usr/bin/python3' };
  const r = spawnSync(python, [pytorchScript(), '--models', models.join(','), '--batch', String(batchSize), '--seconds', String(seconds), '--threads', String(cores())],
    { encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status !== 0) return { results: [], skipped: `the PyTorch bench failed: ${(r.stderr || '').trim().split('\n').pop()}` };
  try {
    return { results: JSON.parse(r.stdout.trim().split('\n').pop() ?? '[]') };
  } catch {
    return { results: [], skipped: 'the PyTorch bench printed no JSON' };
  }
}

const cores = (): number => os.availableParallelism?.() ?? os.cpus().length;

export async function runBench(opts: BenchOptions = {}): Promise<BenchReport> {
  registerFastKernels();
  const log = opts.log ?? (() => {});
  const models = opts.models ?? ['lenet5', 'mnist-mlp'];
  const batchSize = opts.batchSize ?? 64;
  const seconds = opts.seconds ?? 3;
  const available = listBackends().filter((b) => b.available).map((b) => b.name as string);
  const backends = (opts.backends ?? available).filter((b) => available.includes(b));
  const results: BenchResult[] = [];
  const epochs: EpochResult[] = [];
  for (const backend of backends) {
    await useBackend(backend as 'cpu');
    for (const model of models) {
      log(`${model} on ${backend}…`);
      results.push(await measure(model, backend, batchSize, seconds));
    }
    if (opts.epochSamples && models.includes('lenet5')) {
      log(`one LeNet-5 epoch of ${opts.epochSamples} samples on ${backend}…`);
      epochs.push(await epoch('lenet5', backend, opts.epochSamples, batchSize));
    }
  }
  let pytorch: BenchReport['pytorch'] = [];
  let pytorchSkipped: string | undefined;
  if (opts.pytorch !== false) {
    log('PyTorch CPU reference…');
    ({ results: pytorch, skipped: pytorchSkipped } = runPytorch(models, batchSize, seconds));
  } else pytorchSkipped = 'not requested';
  const ratios: BenchRatio[] = [];
  for (const r of results) {
    const p = pytorch.find((q) => q.model === r.model);
    if (p) ratios.push({ model: r.model, backend: r.backend, train: ratio(r.trainSamplesPerSec, p.trainSamplesPerSec), infer: ratio(r.inferSamplesPerSec, p.inferSamplesPerSec) });
  }
  return {
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown', cores: cores(), memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.arch()}`, node: process.version, tfjs: tf.version_core, kernelThreads: kernelThreads(),
    },
    results, pytorch, ...(pytorchSkipped ? { pytorchSkipped } : {}), ratios, epochs,
  };
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);

/** The report as an aligned text table. */
export function formatBench(report: BenchReport): string {
  const rows: string[][] = [['model', 'backend', 'batch', 'train samples/s', 'infer samples/s', 'train ×PyTorch', 'infer ×PyTorch']];
  for (const r of [...report.results, ...report.pytorch]) {
    const q = report.ratios.find((x) => x.model === r.model && x.backend === r.backend);
    rows.push([r.model, r.backend, String(r.batchSize), r.trainSamplesPerSec.toFixed(0), r.inferSamplesPerSec.toFixed(0), q ? q.train.toFixed(2) : '', q ? q.infer.toFixed(2) : '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const m = report.machine;
  lines.unshift(`${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, TF.js ${m.tfjs}, kernel threads ${m.kernelThreads}`);
  for (const e of report.epochs) lines.push(`one ${e.model} epoch, ${e.samples} samples, batch ${e.batchSize}, ${e.backend}: ${e.seconds.toFixed(2)} s`);
  if (report.pytorchSkipped) lines.push(`PyTorch not measured: ${report.pytorchSkipped}`);
  return lines.join('\n');
}
