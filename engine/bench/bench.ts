// Training and inference throughput of the template models on each available backend, with PyTorch
// CPU on the same models in the same run as the yardstick. Used by `npm run bench` and `glasswing bench`.
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, listBackends, useBackend } from '../backends';
import { registerFastKernels, kernelThreads } from '../kernels';
import { benchModel, BENCH_MODELS, DEFAULT_BENCH_MODELS, type BenchModel } from './models';
import { loadDawnWebGpu } from './dawn-webgpu';

export { BENCH_MODELS, DEFAULT_BENCH_MODELS, type BenchModel };

export interface BenchOptions {
  models?: string[];
  /** Concrete backends to measure; default: every available one. `webgpu` (TF.js's WebGPU kernels
   * through Dawn for Node, when installed) is measured only when named. */
  backends?: string[];
  /** Overrides every model's own batch size (LeNet-5 and the MLPs 64, the 32×32 and larger CNNs 32). */
  batchSize?: number;
  /** Seconds of training to time per model and backend (inference gets half). */
  seconds?: number;
  /** Rounds of (Glasswing, PyTorch) measurements; samples/s and ratios are medians over rounds. */
  rounds?: number;
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
  /** Median over rounds; 0 for models timed on inference only. */
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
  /** Each round's samples/s, when there was more than one round. */
  rounds?: { train: number[]; infer: number[] };
}

export interface BenchRatio {
  model: string;
  backend: string;
  /** Glasswing samples/s divided by PyTorch's, same model, same round; median over rounds. */
  train: number;
  infer: number;
  /** Each round's ratios, when there was more than one round. */
  rounds?: { train: number[]; infer: number[] };
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
  /** Backends asked for that could not be measured, and why. */
  unavailable?: { backend: string; reason: string }[];
  /** What each measured backend computed on, e.g. "CPU (WebAssembly)". */
  devices?: Record<string, string>;
  ratios: BenchRatio[];
  epochs: EpochResult[];
}

async function buildModel(model: string): Promise<tfl.LayersModel> {
  const m = await benchModel(model).build();
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return m;
}

/** Calls `step` (warmed up first: 3 calls, or fewer when they take over `seconds`) until `seconds` pass; returns steps per second. */
async function timed(step: () => Promise<void>, seconds: number): Promise<number> {
  const w0 = performance.now();
  for (let i = 0; i < 3 && (i === 0 || performance.now() - w0 < seconds * 1000); i++) await step();
  let n = 0;
  const t0 = performance.now();
  for (;;) {
    await step();
    n++;
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds) return n / dt;
  }
}

async function measure(model: string, backend: string, batchSize: number, seconds: number): Promise<BenchResult> {
  const spec = benchModel(model);
  const m = await buildModel(model);
  const x = tf.randomUniform([batchSize, ...spec.inputShape]);
  const y = spec.train ? tf.oneHot(tf.randomUniform([batchSize], 0, spec.classes, 'int32'), spec.classes) : null;
  const train = y
    ? await timed(async () => {
      await m.trainOnBatch(x, y);
    }, seconds)
    : 0;
  const infer = await timed(async () => {
    // One batch of batchSize, as PyTorch is timed (predict's own default would split it in 32s).
    const out = m.predict(x, { batchSize }) as tf.Tensor;
    await out.data(); // a GPU backend has no synchronous read
    out.dispose();
  }, spec.train ? seconds / 2 : seconds);
  tf.dispose(y ? [x, y] : [x]);
  m.dispose();
  return { model, backend, batchSize, trainSamplesPerSec: round(train * batchSize), inferSamplesPerSec: round(infer * batchSize) };
}

/** Wall time of one model.fit epoch (shuffled, batchSize) over `samples` synthetic examples. */
async function epoch(model: string, backend: string, samples: number, batchSize: number): Promise<EpochResult> {
  const spec = benchModel(model);
  const m = await buildModel(model);
  const x = tf.randomUniform([samples, ...spec.inputShape]);
  const y = tf.oneHot(tf.randomUniform([samples], 0, spec.classes, 'int32'), spec.classes);
  const t0 = performance.now();
  await m.fit(x, y, { epochs: 1, batchSize, shuffle: true, verbose: 0 });
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  m.dispose();
  return { model, backend, samples, batchSize, seconds: Math.round(seconds * 100) / 100 };
}

const round = (v: number): number => Math.round(v * 10) / 10;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function pytorchScript(): string {
  // Sources run as CommonJS (tsx, and the esbuild bundle), so __dirname is defined.
  const here = __dirname;
  // Next to this file in the source tree; bundled builds find it from the package root.
  for (const p of [path.join(here, 'pytorch_bench.py'), path.resolve(here, '../../engine/bench/pytorch_bench.py'), path.resolve('engine/bench/pytorch_bench.py')]) {
    if (existsSync(p)) return p;
  }
  return path.join(here, 'pytorch_bench.py');
}

/** The Python that has torch (BENCH_PYTHON, default Debian's), or why there is none. */
export function torchPython(): string | { skipped: string } {
  const python = process.env.BENCH_PYTHON || '/usr/bin/python3';
  if (!existsSync(python)) return { skipped: `${python} not found` };
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  return probe.status === 0 ? python : { skipped: `PyTorch is not installed for ${python}` };
}

/** PyTorch's threads: BENCH_TORCH_THREADS, default one per core, as Glasswing's kernels. */
export const torchThreads = (): number => (Number(process.env.BENCH_TORCH_THREADS) > 0 ? Number(process.env.BENCH_TORCH_THREADS) : cores());

/** Runs the PyTorch reference in a child process; returns its results or why it could not. */
export function runPytorch(models: { model: string; batchSize: number }[], seconds: number): { results: BenchReport['pytorch']; skipped?: string } {
  // BENCH_TORCH_DEVICE: cpu (default), cuda or mps — a GPU yardstick for the webgpu backend.
  const device = process.env.BENCH_TORCH_DEVICE || 'cpu';
  const python = torchPython();
  if (typeof python !== 'string') return { results: [], skipped: python.skipped };
  const list = models.map((m) => `${m.model}:${m.batchSize}`).join(',');
  const threads = torchThreads();
  const r = spawnSync(python, [pytorchScript(), '--models', list, '--seconds', String(seconds), '--threads', String(threads), '--device', device],
    { encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status !== 0) return { results: [], skipped: `the PyTorch bench failed: ${(r.stderr || '').trim().split('\n').pop()}` };
  try {
    return { results: JSON.parse(r.stdout.trim().split('\n').pop() ?? '[]') };
  } catch {
    return { results: [], skipped: 'the PyTorch bench printed no JSON' };
  }
}

const cores = (): number => os.availableParallelism?.() ?? os.cpus().length;

/** One result per (model, backend): medians over rounds, with each round kept when there were several. */
function mergeRounds<T extends BenchResult>(rounds: T[][]): T[] {
  const first = rounds[0] ?? [];
  return first.map((r) => {
    const all = rounds.map((rs) => rs.find((q) => q.model === r.model && q.backend === r.backend)).filter((q): q is T => !!q);
    const train = all.map((q) => q.trainSamplesPerSec), infer = all.map((q) => q.inferSamplesPerSec);
    return { ...r, trainSamplesPerSec: round(median(train)), inferSamplesPerSec: round(median(infer)), ...(all.length > 1 ? { rounds: { train, infer } } : {}) };
  });
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchReport> {
  registerFastKernels();
  const log = opts.log ?? (() => {});
  const models = opts.models ?? DEFAULT_BENCH_MODELS;
  for (const m of models) benchModel(m); // unknown names fail before anything runs
  const batchOf = (m: string): number => opts.batchSize ?? benchModel(m).batchSize;
  const seconds = opts.seconds ?? 3;
  const rounds = Math.max(1, Math.floor(opts.rounds ?? 1));
  const statuses = listBackends();
  const devices: Record<string, string> = Object.fromEntries(statuses.filter((b) => b.available).map((b) => [b.name, b.device ?? b.name]));
  const unavailable = (opts.backends ?? []).filter((b) => b !== 'webgpu' && !(b in devices))
    .map((b) => ({ backend: b, reason: statuses.find((s) => s.name === b)?.reason ?? 'not a backend the engine has' }));
  if (opts.backends?.includes('webgpu')) {
    const dawn = await loadDawnWebGpu();
    if (dawn.ok) devices['webgpu'] = dawn.device;
    else unavailable.push({ backend: 'webgpu', reason: dawn.reason });
  }
  const backends = (opts.backends ?? Object.keys(devices)).filter((b) => b in devices);
  // Nothing of Glasswing's to measure: no PyTorch run to compare with either.
  if (backends.length === 0) return { machine: machineInfo(), results: [], pytorch: [], pytorchSkipped: 'no backend to compare with', ratios: [], epochs: [], unavailable, devices: {} };
  const ours: BenchResult[][] = [];
  const theirs: BenchReport['pytorch'][] = [];
  const epochs: EpochResult[] = [];
  let pytorchSkipped: string | undefined = opts.pytorch === false ? 'not requested' : undefined;
  // Each model is measured on every backend and then in PyTorch right after (the order alternating
  // between rounds), so that both sides of a ratio see the same load on a shared machine.
  for (let round = 0; round < rounds; round++) {
    const tag = rounds > 1 ? ` (round ${round + 1} of ${rounds})` : '';
    const results: BenchResult[] = [];
    const reference: BenchReport['pytorch'] = [];
    for (const model of models) {
      const torch = (): void => {
        if (pytorchSkipped) return;
        log(`${model} in PyTorch${tag}…`);
        const r = runPytorch([{ model, batchSize: batchOf(model) }], seconds);
        if (r.skipped) pytorchSkipped = r.skipped;
        else reference.push(...r.results);
      };
      if (round % 2 === 1) torch();
      for (const backend of backends) {
        await activate(backend);
        log(`${model} on ${backend}${tag}…`);
        results.push(await measure(model, backend, batchOf(model), seconds));
      }
      if (round % 2 === 0) torch();
    }
    if (round === 0 && opts.epochSamples && models.includes('lenet5')) {
      for (const backend of backends) {
        await activate(backend);
        log(`one LeNet-5 epoch of ${opts.epochSamples} samples on ${backend}…`);
        epochs.push(await epoch('lenet5', backend, opts.epochSamples, batchOf('lenet5')));
      }
    }
    ours.push(results);
    if (!pytorchSkipped) theirs.push(reference);
  }
  const results = mergeRounds(ours);
  const pytorch = pytorchSkipped ? [] : mergeRounds(theirs);
  const ratios: BenchRatio[] = [];
  for (const r of results) {
    if (pytorchSkipped) break;
    const per = ours.map((rs, i) => {
      const a = rs.find((q) => q.model === r.model && q.backend === r.backend);
      const b = theirs[i]?.find((q) => q.model === r.model);
      return a && b ? { train: ratio(a.trainSamplesPerSec, b.trainSamplesPerSec), infer: ratio(a.inferSamplesPerSec, b.inferSamplesPerSec) } : null;
    }).filter((q): q is { train: number; infer: number } => !!q);
    if (per.length === 0) continue;
    const train = per.map((q) => q.train), infer = per.map((q) => q.infer);
    ratios.push({ model: r.model, backend: r.backend, train: ratio(median(train), 1), infer: ratio(median(infer), 1), ...(per.length > 1 ? { rounds: { train, infer } } : {}) });
  }
  return {
    machine: machineInfo(),
    results, pytorch, ...(pytorchSkipped ? { pytorchSkipped } : {}), ratios, epochs,
    ...(unavailable.length ? { unavailable } : {}), devices: Object.fromEntries(backends.map((b) => [b, devices[b]!])),
  };
}

function machineInfo(): BenchReport['machine'] {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown', cores: cores(), memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.arch()}`, node: process.version, tfjs: tf.version_core, kernelThreads: kernelThreads(),
  };
}

/** The engine's own backends through useBackend; Dawn's `webgpu` is registered with TF.js only. */
async function activate(backend: string): Promise<void> {
  if (backend !== 'webgpu') {
    await useBackend(backend as 'cpu');
    return;
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('The webgpu backend (Dawn) failed to initialise.');
  await tf.ready();
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);

/** The report as an aligned text table. */
export function formatBench(report: BenchReport): string {
  const rows: string[][] = [['model', 'backend', 'batch', 'train samples/s', 'infer samples/s', 'train ×PyTorch', 'infer ×PyTorch']];
  const fmt = (v: number): string => (v > 0 ? v.toFixed(0) : '–');
  for (const r of [...report.results, ...report.pytorch]) {
    const q = report.ratios.find((x) => x.model === r.model && x.backend === r.backend);
    rows.push([r.model, r.backend, String(r.batchSize), fmt(r.trainSamplesPerSec), fmt(r.inferSamplesPerSec), q && q.train > 0 ? q.train.toFixed(2) : '', q ? q.infer.toFixed(2) : '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const m = report.machine;
  lines.unshift(`${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, TF.js ${m.tfjs}, kernel threads ${m.kernelThreads}`);
  const rounds = report.ratios[0]?.rounds?.train.length ?? report.results[0]?.rounds?.train.length ?? 1;
  if (rounds > 1) lines.push(`medians of ${rounds} rounds; each ratio is Glasswing / PyTorch within one round, then the median`);
  for (const e of report.epochs) lines.push(`one ${e.model} epoch, ${e.samples} samples, batch ${e.batchSize}, ${e.backend}: ${e.seconds.toFixed(2)} s`);
  for (const [b, d] of Object.entries(report.devices ?? {})) if (b !== d) lines.push(`${b}: ${d}`);
  for (const u of report.unavailable ?? []) lines.push(`${u.backend} not measured: ${u.reason}`);
  if (report.pytorchSkipped) lines.push(`PyTorch not measured: ${report.pytorchSkipped}`);
  return lines.join('\n');
}
