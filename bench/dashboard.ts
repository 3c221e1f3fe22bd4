// Does watching training slow it down? LeNet-5 on the 10,000 MNIST digits, trained once headless
// by the CLI and once from the dashboard (web host + Chromium, charts live), on the same backend.
// Throughput is wall-clock: examples per second of whole epochs, validation and events included.
// The page's long tasks (PerformanceObserver 'longtask') are reported too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

export interface DashboardBenchOptions {
  epochs?: number;
  log?: (line: string) => void;
}

export interface DashboardBenchReport {
  model: 'lenet5';
  dataset: 'mnist';
  epochs: number;
  backend: string;
  headlessSamplesPerSec: number;
  dashboardSamplesPerSec: number;
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

function wallRate(epochs: { seconds: number }[], examples: number): number {
  const seconds = epochs.reduce((a, e) => a + e.seconds, 0);
  return (examples * epochs.length) / seconds;
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

async function withDashboard(epochs: number, log: (l: string) => void): Promise<{ rate: number; backend: string; longTasks: number[] }> {
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
      const epochRecords: { seconds: number }[] = [];
      let backend = '';
      page.on('websocket', (ws) =>
        ws.on('framereceived', (f) => {
          const msg = JSON.parse(String(f.payload));
          if (msg.kind === 'event' && msg.event === 'training.event') {
            if (msg.payload.type === 'epoch') epochRecords.push(msg.payload);
            if (msg.payload.type === 'started') backend = msg.payload.backend;
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
      // Long tasks while the run streams in (from Train to the final metrics on screen).
      await page.evaluate(() => {
        const w = window as unknown as { longTasks: number[] };
        w.longTasks = [];
        new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask' });
      });
      log('dashboard run…');
      await page.getByTestId('train').click();
      await page.getByTestId('run-status').getByText('Finished').waitFor({ timeout: 600_000 });
      await page.waitForTimeout(500);
      const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
      return { rate: wallRate(epochRecords, 6000), backend, longTasks };
    } finally {
      await browser.close();
    }
  } finally {
    server.kill('SIGTERM');
  }
}

export async function runDashboardBench(options: DashboardBenchOptions = {}): Promise<DashboardBenchReport> {
  const epochs = options.epochs ?? 3;
  const log = options.log ?? (() => {});
  log('headless run (glasswing train)…');
  const cli = headless(epochs);
  const ui = await withDashboard(epochs, log);
  return {
    model: 'lenet5',
    dataset: 'mnist',
    epochs,
    backend: ui.backend === cli.backend ? cli.backend : `${cli.backend} (CLI) / ${ui.backend} (dashboard)`,
    headlessSamplesPerSec: cli.rate,
    dashboardSamplesPerSec: ui.rate,
    ratio: ui.rate / cli.rate,
    longTasks: { count: ui.longTasks.length, over100ms: ui.longTasks.filter((d) => d > 100).length, maxMs: Math.max(0, ...ui.longTasks) },
  };
}

export function formatDashboardBench(r: DashboardBenchReport): string {
  return [
    `LeNet-5 on MNIST (6,000 training digits, batch 64, ${r.epochs} epochs, backend ${r.backend}), wall-clock examples/s per epoch`,
    `  headless CLI       ${Math.round(r.headlessSamplesPerSec).toLocaleString('en-US')}`,
    `  dashboard open     ${Math.round(r.dashboardSamplesPerSec).toLocaleString('en-US')}`,
    `  ratio              ${r.ratio.toFixed(3)} (target ≥ 0.95)`,
    `  page long tasks    ${r.longTasks.count} in all, ${r.longTasks.over100ms} over 100 ms, longest ${r.longTasks.maxMs.toFixed(0)} ms`,
  ].join('\n');
}
