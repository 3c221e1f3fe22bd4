// Does watching training slow it down? LeNet-5 on the 10,000 MNIST digits, trained headless by the
// CLI and from the dashboard (web host + Chromium, charts live) in alternating rounds, same backend.
// Throughput is wall-clock: examples per second of whole epochs, validation and events included.
// The page's long tasks (PerformanceObserver 'longtask') are reported too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

export interface DashboardBenchOptions {
  epochs?: number;
  /** Headless/dashboard pairs to alternate (default 5). */
  rounds?: number;
  log?: (line: string) => void;
}

export interface DashboardBenchReport {
  model: 'lenet5';
  dataset: 'mnist';
  epochs: number;
  rounds: number;
  backend: string;
  /** Examples/s of each headless run, in order (one more than the dashboard runs, which they bracket). */
  headlessRuns: number[];
  dashboardRuns: number[];
  /** Each dashboard run over the mean of the headless runs around it. */
  ratios: number[];
  headlessSamplesPerSec: number;
  dashboardSamplesPerSec: number;
  /** The median of `ratios`. */
  ratio: number;
  longTasks: { count: number; over100ms: number; maxMs: number };
}

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'glasswing.cjs');
const chromiumPath = process.env['CHROMIUM_PATH'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

interface EpochLine {
  epoch: number;
  samplesPerSec: number;
  seconds?: number;
}

/**
 * Examples per second over whole epochs (validation and events included), leaving out the first:
 * a fresh CLI process spends it warming up (JIT, WebAssembly compilation), while the web host's engine
 * is already warm from the previous round, which would flatter the dashboard.
 */
function wallRate(epochs: { seconds: number }[], examples: number): number {
  const steady = epochs.length > 1 ? epochs.slice(1) : epochs;
  const seconds = steady.reduce((a, e) => a + e.seconds, 0);
  return (examples * steady.length) / seconds;
}

/** The backend `glasswing train` uses, from a one-epoch run that also warms the disk cache. */
function headlessBackend(): string {
  return headless(1).backend;
}

function headless(epochs: number): { rate: number; backend: string } {
  const out = spawnSync(process.execPath, [bin, 'train', '--template', 'lenet5', '--dataset', 'mnist', '--epochs', String(epochs), '--batch-size', '64', '--lr', '0.001', '--val-split', '0.2', '--test-split', '0.2', '--out', path.join(root, 'out', 'bench-dashboard-model')], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`glasswing train failed: ${out.stderr}`);
  const metrics = JSON.parse(readFileSync(path.join(root, 'out', 'bench-dashboard-model', 'metrics.json'), 'utf8')) as { backend: string; history: (EpochLine & { seconds: number })[] };
  return { rate: wallRate(metrics.history, 6000), backend: metrics.backend };
}

interface Round { headless: number; dashboard: number }

/**
 * Alternates headless CLI runs with dashboard runs (web host + Chromium, one page kept open) for
 * `rounds` rounds, then a last headless run; the page's long tasks are observed during dashboard runs.
 */
async function alternate(epochs: number, rounds: number, log: (l: string) => void): Promise<{ rounds: Round[]; lastHeadless: number; backend: string; longTasks: number[] }> {
  const server = spawn(process.execPath, [bin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      server.stdout!.on('data', (d) => {
        text += String(d);
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(text);
        if (m) resolve(m[1]!);
      });
      server.once('exit', (c) => reject(new Error(`glasswing serve exited (${c})`)));
    });
    const browser = await chromium.launch({ ...(chromiumPath ? { executablePath: chromiumPath } : {}), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      let epochRecords: { seconds: number }[] = [];
      let finished: () => void = () => {};
      let backend = '';
      page.on('websocket', (ws) =>
        ws.on('framereceived', (f) => {
          const msg = JSON.parse(String(f.payload));
          if (msg.kind === 'event' && msg.event === 'training.event') {
            if (msg.payload.type === 'epoch') epochRecords.push(msg.payload);
            if (msg.payload.type === 'started') backend = msg.payload.backend;
            if (msg.payload.type === 'finished' || msg.payload.type === 'failed') finished();
          }
        }),
      );
      await page.goto(url);
      await page.getByTestId('dataset-mnist').click();
      await page.getByTestId('template-select').selectOption('lenet5');
      await page.getByTestId('epochs').fill(String(epochs));
      await page.getByTestId('batch-size').fill('64');
      await page.getByTestId('learning-rate').fill('0.001');
      await page.waitForTimeout(1000);
      await page.evaluate(() => {
        const w = window as unknown as { longTasks: number[]; observing: boolean };
        w.longTasks = [];
        w.observing = false;
        new PerformanceObserver((list) => list.getEntries().forEach((e) => { if (w.observing) w.longTasks.push(e.duration); })).observe({ type: 'longtask' });
      });
      const results: Round[] = [];
      for (let r = 1; r <= rounds; r++) {
        log(`round ${r}/${rounds}: headless run (glasswing train)…`);
        const cli = headless(epochs);
        log(`round ${r}/${rounds}: dashboard run…`);
        epochRecords = [];
        const done = new Promise<void>((resolve) => (finished = resolve));
        await page.evaluate(() => ((window as unknown as { observing: boolean }).observing = true));
        await page.getByTestId('train').click();
        await done;
        await page.getByTestId('run-status').getByText('Finished').waitFor({ timeout: 600_000 });
        await page.waitForTimeout(500);
        await page.evaluate(() => ((window as unknown as { observing: boolean }).observing = false));
        if (epochRecords.length !== epochs) throw new Error(`the dashboard run reported ${epochRecords.length} of ${epochs} epochs`);
        results.push({ headless: cli.rate, dashboard: wallRate(epochRecords, 6000) });
      }
      log('last headless run…');
      const lastHeadless = headless(epochs).rate;
      const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
      return { rounds: results, lastHeadless, backend, longTasks };
    } finally {
      await browser.close();
    }
  } finally {
    server.kill('SIGTERM');
  }
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function runDashboardBench(options: DashboardBenchOptions = {}): Promise<DashboardBenchReport> {
  const epochs = options.epochs ?? 4;
  const rounds = options.rounds ?? 5;
  const log = options.log ?? (() => {});
  const cliBackend = headlessBackend();
  const run = await alternate(epochs, rounds, log);
  // A shared machine's speed drifts over a minute by more than the effect measured: each dashboard
  // run is compared with the mean of the headless runs just before and just after it, and the
  // report gives the median of those ratios.
  const ratios = run.rounds.map((r, i) => r.dashboard / ((r.headless + (run.rounds[i + 1]?.headless ?? run.lastHeadless)) / 2));
  const headlessRuns = [...run.rounds.map((r) => r.headless), run.lastHeadless];
  return {
    model: 'lenet5',
    dataset: 'mnist',
    epochs,
    rounds,
    backend: run.backend === cliBackend ? cliBackend : `${cliBackend} (CLI) / ${run.backend} (dashboard)`,
    headlessRuns,
    dashboardRuns: run.rounds.map((r) => r.dashboard),
    ratios,
    headlessSamplesPerSec: median(headlessRuns),
    dashboardSamplesPerSec: median(run.rounds.map((r) => r.dashboard)),
    ratio: median(ratios),
    longTasks: { count: run.longTasks.length, over100ms: run.longTasks.filter((d) => d > 100).length, maxMs: Math.max(0, ...run.longTasks) },
  };
}

const fmt = (v: number[]): string => v.map((x) => Math.round(x).toLocaleString('en-US')).join(', ');

export function formatDashboardBench(r: DashboardBenchReport): string {
  return [
    `LeNet-5 on MNIST (6,000 training digits, batch 64, ${r.epochs} epochs, backend ${r.backend}), wall-clock examples/s of epochs 2–${r.epochs} of each run, ${r.rounds} alternating rounds`,
    `  headless CLI       ${fmt(r.headlessRuns)}`,
    `  dashboard open     ${fmt(r.dashboardRuns)}`,
    `  ratio per round    ${r.ratios.map((x) => x.toFixed(3)).join(', ')} (each dashboard run / mean of the headless runs around it)`,
    `  ratio (median)     ${r.ratio.toFixed(3)} (target ≥ 0.95)`,
    `  page long tasks    ${r.longTasks.count} in all, ${r.longTasks.over100ms} over 100 ms, longest ${r.longTasks.maxMs.toFixed(0)} ms`,
  ].join('\n');
}
