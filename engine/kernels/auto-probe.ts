// Picks the fastest backend for training on this machine by timing a few LeNet-5 training steps on
// each candidate (about a second in all), and remembers the answer per machine in
// ~/.cache/glasswing/backend-probe.json so later starts skip the probe.
import os from 'node:os';
import path from 'node:path';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getTemplate } from '../../common/model/templates';
import { registerFastKernels } from './index';

export interface ProbeResult {
  backend: string;
  reason: string;
  /** Milliseconds per LeNet-5 training step (batch 32) per candidate; Infinity if it failed. */
  measurements: Record<string, number>;
}

/** Bump when kernels change enough to invalidate cached choices. */
const PROBE_VERSION = 5;

function cacheFile(): string {
  return path.join(os.homedir(), '.cache', 'glasswing', 'backend-probe.json');
}

/** What identifies "this machine" for the cache: a different CPU, core count or runtime re-probes. */
function machineKey(candidates: string[]): string {
  const cpu = os.cpus()[0]?.model ?? 'cpu';
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return `v${PROBE_VERSION}|${cpu}|${cores}|${process.version}|${tf.version_core}|${[...candidates].sort().join(',')}`;
}

function readCache(): Record<string, ProbeResult> {
  try {
    return JSON.parse(readFileSync(cacheFile(), 'utf8')) as Record<string, ProbeResult>;
  } catch {
    return {};
  }
}

function writeCache(entries: Record<string, ProbeResult>): void {
  try {
    const file = cacheFile();
    mkdirSync(path.dirname(file), { recursive: true });
    // Atomic: readers never see a half-written file, and concurrent writers just race to rename.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify(entries, null, 2));
    renameSync(tmp, file);
  } catch {
    // A read-only home only costs a re-probe next time.
  }
}

/** ms per training step of LeNet-5 (batch 32) on `backend`, best of a few steps after a warm-up. */
async function timeBackend(backend: string, budgetMs: number): Promise<number> {
  if (!(await tf.setBackend(backend))) return Infinity;
  await tf.ready();
  const model = await tfl.models.modelFromJSON({ modelTopology: getTemplate('lenet5') as unknown as tf.io.ModelJSON['modelTopology'] });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([32, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32'), 10);
  try {
    await model.trainOnBatch(x, y); // warm-up: kernel setup, weight allocation
    let best = Infinity;
    const start = performance.now();
    for (let i = 0; i < 8 && performance.now() - start < budgetMs; i++) {
      const t0 = performance.now();
      await model.trainOnBatch(x, y);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

/**
 * Times a short LeNet-5 training run on each candidate backend and returns the fastest, restoring the
 * backend that was active before. Cached per machine; pass { fresh: true } to re-measure.
 */
export async function probeFastestBackend(candidates: string[], opts: { fresh?: boolean } = {}): Promise<ProbeResult> {
  const usable = candidates.filter((c) => tf.findBackendFactory(c) != null || tf.findBackend(c) != null);
  if (usable.length === 0) throw new Error(`None of the backends ${candidates.join(', ')} is registered.`);
  const key = machineKey(usable);
  const cache = readCache();
  const hit = cache[key];
  if (!opts.fresh && hit && usable.includes(hit.backend)) return { ...hit, reason: `${hit.reason} (measured earlier on this machine)` };
  if (usable.length === 1) return { backend: usable[0]!, reason: 'the only candidate', measurements: {} };

  registerFastKernels();
  const previous = tf.getBackend();
  const measurements: Record<string, number> = {};
  const budget = 1000 / usable.length;
  for (const b of usable) {
    try {
      measurements[b] = Math.round((await timeBackend(b, budget)) * 100) / 100;
    } catch {
      measurements[b] = Infinity;
    }
  }
  if (previous) await tf.setBackend(previous);
  const ranked = usable.filter((b) => Number.isFinite(measurements[b])).sort((p, q) => measurements[p]! - measurements[q]!);
  if (ranked.length === 0) return { backend: usable[0]!, reason: 'no candidate completed a training step', measurements };
  const best = ranked[0]!;
  const runnerUp = ranked[1];
  const reason = runnerUp
    ? `it trained LeNet-5 fastest here (${measurements[best]} ms/step vs ${measurements[runnerUp]} ms on ${runnerUp})`
    : 'the only candidate that trained';
  const result: ProbeResult = { backend: best, reason, measurements };
  writeCache({ ...cache, [key]: result });
  return result;
}
