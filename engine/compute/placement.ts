// Where a run trains: in the engine (cpu, wasm, tensorflow) or on a page's compute worker (webgpu,
// webgl). A backend named by the person is used if it can be, or refused with the reason. `auto`
// takes the native TensorFlow GPU build when it loads; otherwise it times the model at hand on
// each hardware GPU backend the page offers against the engine's fastest CPU backend (a few
// steps each, remembered per adapter and model) and takes the fastest — saying why. A software
// GPU (SwiftShader, llvmpipe) is never chosen by `auto`: it is always slower than wasm.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendName } from '../../common/ipc/contract';
import { BadInputError } from '../../common/bad-input';
import type { GpuBackend } from '../../compute/protocol';
import type { Task } from '../../compute/examples';
import { timeSteps } from '../../compute/step-timer';
import { useBackend, type ActiveBackend } from '../backends';
import { estimateGpuMemory, gpuFitProblem } from './gpu-memory';
import type { RemoteCompute } from './remote-compute';

export type Placement =
  | { where: 'engine'; backend: ActiveBackend }
  | { where: 'worker'; backend: GpuBackend; device: string; reason: string; local: ActiveBackend };

export interface PlacementModel {
  model: tfl.LayersModel;
  inputShape: number[];
  task: Task;
  classes: number;
  batchSize: number;
}

const GPU_ORDER: GpuBackend[] = ['webgpu', 'webgl'];
const PROBE_VERSION = 1;

function cacheFile(): string {
  return path.join(os.homedir(), '.cache', 'glasswing', 'gpu-probe.json');
}

function readCache(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(cacheFile(), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function remember(key: string, msPerStep: number): void {
  try {
    const file = cacheFile();
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...readCache(), [key]: msPerStep }, null, 2));
    renameSync(tmp, file);
  } catch {
    // A read-only home only costs a new measurement next time.
  }
}

function modelKey(m: PlacementModel, topology: unknown): string {
  return createHash('sha256').update(JSON.stringify(topology)).update(`|${m.inputShape.join('x')}|${m.batchSize}`).digest('hex').slice(0, 20);
}

async function measured(key: string, measure: () => Promise<number>): Promise<{ ms: number; cached: boolean }> {
  const hit = readCache()[key];
  if (typeof hit === 'number') return { ms: hit, cached: true };
  const ms = await measure();
  if (Number.isFinite(ms)) remember(key, ms);
  return { ms, cached: false };
}

const fmt = (ms: number) => (ms >= 100 ? Math.round(ms).toString() : ms.toFixed(1));

export async function placeRun(requested: BackendName, m: PlacementModel, compute: RemoteCompute): Promise<Placement> {
  if (requested === 'webgpu' || requested === 'webgl') {
    const u = compute.usable(requested);
    if (!u.ok) throw new BadInputError(`The ${requested} backend is not available: ${u.reason}. Choose Auto or a CPU backend.`);
    const problem = gpuFitProblem(estimateGpuMemory(m.model, m.batchSize), m.batchSize, u.maxBufferBytes, requested);
    if (problem) throw new BadInputError(problem);
    const local = await useBackend('auto');
    return { where: 'worker', backend: requested, device: u.device, reason: 'you chose it', local };
  }
  const local = await useBackend(requested);
  if (requested !== 'auto' || local.name === 'tensorflow') return { where: 'engine', backend: local };

  // auto: hardware GPU backends the page offers, where the model fits.
  const skipped: string[] = [];
  const candidates: { name: GpuBackend; device: string }[] = [];
  const estimate = estimateGpuMemory(m.model, m.batchSize);
  for (const name of GPU_ORDER) {
    const u = compute.usable(name);
    if (!u.ok) continue;
    if (u.software) skipped.push(`${name} runs on a software renderer here (${u.device})`);
    else if (gpuFitProblem(estimate, m.batchSize, u.maxBufferBytes, name)) skipped.push(`the model does not fit ${name}'s largest buffer at batch ${m.batchSize}`);
    else candidates.push({ name, device: u.device });
  }
  if (candidates.length === 0) {
    const why = skipped.length ? `; no GPU used: ${skipped.join('; ')}` : '';
    return { where: 'engine', backend: { ...local, reason: `${local.reason}${why}` } };
  }

  const topology = m.model.toJSON(null, false);
  const key = modelKey(m, topology);
  const adapter = compute.report?.adapter;
  const adapterKey = adapter ? `${adapter.vendor}|${adapter.architecture}|${adapter.device}|${adapter.description}` : 'unknown adapter';
  const request = { topology, inputShape: m.inputShape, task: m.task, classes: m.classes, batchSize: m.batchSize, budgetMs: 1500 };
  const times: { name: string; ms: number; cached: boolean }[] = [];
  const cpuKey = `v${PROBE_VERSION}|${tf.version_core}|${os.cpus()[0]?.model ?? 'cpu'}|${local.name}|${key}`;
  times.push({ name: local.name, ...(await measured(cpuKey, async () => (await timeSteps(request)).trainMsPerStep)) });
  for (const c of candidates) {
    const gpuKey = `v${PROBE_VERSION}|${adapterKey}|${c.name}|${key}`;
    try {
      times.push({ name: c.name, ...(await measured(gpuKey, async () => (await compute.time({ backend: c.name, ...request })).trainMsPerStep)) });
    } catch (e) {
      skipped.push(`${c.name} could not be timed (${(e as Error).message})`);
    }
  }
  const ranked = times.filter((t) => Number.isFinite(t.ms)).sort((a, b) => a.ms - b.ms);
  const best = ranked[0]!;
  const others = ranked.slice(1).map((t) => `${fmt(t.ms)} ms on ${t.name}`).join(', ');
  const reason = `it trained this model fastest here (${fmt(best.ms)} ms per batch of ${m.batchSize}${others ? ` vs ${others}` : ''}${times.some((t) => t.cached) ? ', measured earlier' : ''})`;
  const gpu = candidates.find((c) => c.name === best.name);
  if (!gpu) return { where: 'engine', backend: { ...local, reason } };
  return { where: 'worker', backend: gpu.name, device: gpu.device, reason, local };
}
