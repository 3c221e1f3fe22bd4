// Engine memory over a session: 30 consecutive MNIST-MLP trainings through the web host (as a
// page would start them), the engine's resident size read after each. Runs are persisted and only
// a few are held in memory, datasets and splits are shared and released, so the size should level
// off: the bench reports the growth from the third run to the last (the target is under 150 MB).
// Run alone: `node --import tsx bench/memory.ts`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TRAINING_DEFAULTS } from '../common/ipc/contract';
import { forkNodeEngine } from '../engine/host/node-transport';
import { startWebHost } from '../server/web-host';
import { TestSocket } from '../server/test-client';

export const MEMORY_GROWTH_LIMIT_MIB = 150;

export interface MemoryBenchReport {
  runs: number;
  rssMiB: number[];
  afterThirdMiB: number;
  lastMiB: number;
  growthMiB: number;
  withinLimit: boolean;
  seconds: number;
}

/** Resident size of a process in MiB (Linux /proc, else ps). */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
}

export async function runMemoryBench(options: { runs?: number; log?: (l: string) => void } = {}): Promise<MemoryBenchReport> {
  const runs = options.runs ?? 30;
  const log = options.log ?? (() => undefined);
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-memory-'));
  await mkdir(path.join(dir, 'renderer'));
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html>');
  const host = await startWebHost({
    rendererDir: path.join(dir, 'renderer'),
    spawnEngine: () => forkNodeEngine('web', { GLASSWING_PROJECTS_DIR: path.join(dir, 'Glasswing'), GLASSWING_CONFIG_DIR: path.join(dir, 'config'), GLASSWING_SESSION: 'memory-bench' }),
    log: () => undefined,
  });
  const started = Date.now();
  const socket = await TestSocket.open(host.port, host.token);
  const rss: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const settings = { ...TRAINING_DEFAULTS, epochs: 1, batchSize: 64, learningRate: 0.001, seed: i + 1 };
      const { runId } = await socket.call<{ runId: string }>('training.start', { model: { template: 'mnist-mlp' }, dataset: 'mnist', settings });
      await socket.next('training.event', (e) => e.runId === runId && (e.type === 'finished' || e.type === 'failed'), 600_000);
      rss.push(rssMiB(host.engine.pid!));
      log(`run ${i + 1}/${runs}: engine ${rss.at(-1)!.toFixed(0)} MiB`);
    }
  } finally {
    socket.close();
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
  const afterThird = rss[Math.min(2, rss.length - 1)]!;
  const last = rss.at(-1)!;
  return { runs, rssMiB: rss.map((v) => Math.round(v)), afterThirdMiB: Math.round(afterThird), lastMiB: Math.round(last), growthMiB: Math.round(last - afterThird), withinLimit: last - afterThird <= MEMORY_GROWTH_LIMIT_MIB, seconds: (Date.now() - started) / 1000 };
}

export function formatMemoryBench(r: MemoryBenchReport): string {
  return [
    `| runs | engine after run 3 | after run ${r.runs} | growth | limit |`,
    '|---:|---:|---:|---:|---:|',
    `| ${r.runs} | ${r.afterThirdMiB} MiB | ${r.lastMiB} MiB | ${r.growthMiB} MiB | ${MEMORY_GROWTH_LIMIT_MIB} MiB ${r.withinLimit ? '✓' : '✗'} |`,
    '',
    `Resident size after each run (MiB): ${r.rssMiB.join(', ')}; ${r.seconds.toFixed(0)} s in all.`,
  ].join('\n');
}

if (require.main === module) {
  runMemoryBench({ log: (l) => process.stderr.write(`${l}\n`) }).then((r) => process.stdout.write(`${formatMemoryBench(r)}\n`));
}
