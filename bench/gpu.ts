// `npm run bench -- gpu`: training throughput on every GPU backend a browser page offers, beside
// wasm, through the app itself: `glasswing serve`, Chromium (CHROMIUM_PATH) opening the workbench
// (its compute worker connects), and the contract's backend.bench for LeNet-5 on MNIST and a
// CIFAR-scale CNN (32×32×3, 32–64 filters), three rounds each, medians reported with the adapter's
// name. Chromium is started for the real GPU (WebGPU on Vulkan, GPU rasterisation allowed); with
// BENCH_GPU_SOFTWARE=1, or when it finds no hardware adapter, for SwiftShader instead — whose figures
// say the code runs, never how fast a GPU is.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import type { ModelTopology } from '../common/model/keras-format';
import { TestSocket } from '../server/test-client';

export interface GpuBenchRow {
  model: string;
  backend: string;
  device: string;
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
  firstStepMs: number | null;
  rounds: number[];
}

export interface GpuBenchReport {
  adapter: string;
  software: boolean;
  agent: string;
  unavailable: { backend: string; reason: string }[];
  rows: GpuBenchRow[];
}

const root = path.resolve(__dirname, '..');
const chromiumPath = process.env['CHROMIUM_PATH'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const HARDWARE_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist', '--enable-gpu-rasterization'];
const SOFTWARE_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader'];

/** The Keras CIFAR-10 example CNN: two blocks of two 3×3 convolutions (32, then 64 filters). */
export function cifarCnn(): ModelTopology {
  const conv = (name: string, filters: number, first = false) => ({
    class_name: 'Conv2D',
    config: { name, filters, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true, ...(first ? { batch_input_shape: [null, 32, 32, 3] } : {}) },
  });
  const pool = (name: string) => ({ class_name: 'MaxPooling2D', config: { name, pool_size: [2, 2], strides: [2, 2], padding: 'valid' } });
  return {
    class_name: 'Sequential',
    config: {
      name: 'cifar_cnn',
      layers: [
        conv('conv2d_1', 32, true),
        conv('conv2d_2', 32),
        pool('max_pooling2d_1'),
        conv('conv2d_3', 64),
        conv('conv2d_4', 64),
        pool('max_pooling2d_2'),
        { class_name: 'Flatten', config: { name: 'flatten_1' } },
        { class_name: 'Dense', config: { name: 'dense_1', units: 128, activation: 'relu', use_bias: true } },
        { class_name: 'Dense', config: { name: 'dense_2', units: 10, activation: 'softmax', use_bias: true } },
      ],
    },
  } as unknown as ModelTopology;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function withServer<T>(fn: (port: number, token: string, url: string) => Promise<T>): Promise<T> {
  const server = spawn(process.execPath, [path.join(root, 'bin', 'glasswing.cjs'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('glasswing serve printed no URL in 30 s')), 30_000);
      server.stdout!.on('data', (d) => {
        out += String(d);
        const m = /(http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+))/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const u = new URL(url);
    return await fn(Number(u.port), u.searchParams.get('token')!, url);
  } finally {
    server.kill('SIGTERM');
  }
}

interface Info {
  backends: { name: string; available: boolean; reason?: string; device?: string }[];
  gpu: { adapter: { vendor: string; architecture: string; description: string; device: string; software: boolean } | null; agent: string } | null;
}

async function connectedInfo(socket: TestSocket): Promise<Info> {
  for (let i = 0; i < 120; i++) {
    const info = await socket.call<Info>('app.info', {});
    if (info.gpu) return info;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('The page’s compute worker did not connect in 60 s.');
}

export async function runGpuBench(options: { rounds?: number; seconds?: number; log?: (l: string) => void } = {}): Promise<GpuBenchReport> {
  const rounds = options.rounds ?? 3;
  const seconds = options.seconds ?? 4;
  const log = options.log ?? (() => undefined);
  if (!chromiumPath) throw new Error('No Chromium found: set CHROMIUM_PATH to a Chromium or Chrome binary.');
  const forceSoftware = process.env['BENCH_GPU_SOFTWARE'] === '1';
  return withServer(async (port, token, url) => {
    const attempt = async (software: boolean) => {
      const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage', ...(software ? SOFTWARE_FLAGS : HARDWARE_FLAGS)] });
      const page = await browser.newPage();
      await page.goto(url);
      const socket = await TestSocket.open(port, token);
      const info = await connectedInfo(socket);
      return { browser, socket, info };
    };
    let session = await attempt(forceSoftware);
    let software = forceSoftware || !session.info.gpu?.adapter || session.info.gpu.adapter.software;
    if (!forceSoftware && (!session.info.gpu?.adapter || session.info.gpu.adapter.software) && !session.info.backends.some((b) => (b.name === 'webgpu' || b.name === 'webgl') && b.available)) {
      log('no hardware GPU adapter: measuring on SwiftShader instead (figures say nothing about GPU speed)');
      session.socket.close();
      await session.browser.close();
      session = await attempt(true);
      software = true;
    }
    const { browser, socket, info } = session;
    // A software renderer takes minutes per CIFAR step: one round says what it needs to (that it runs).
    const roundsHere = software ? 1 : rounds;
    try {
      const a = info.gpu?.adapter;
      const adapter = a ? [a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' ') : 'no WebGPU adapter';
      const gpuBackends = info.backends.filter((b) => (b.name === 'webgpu' || b.name === 'webgl') && b.available).map((b) => b.name);
      const unavailable = info.backends.filter((b) => (b.name === 'webgpu' || b.name === 'webgl') && !b.available).map((b) => ({ backend: b.name, reason: b.reason ?? '' }));
      log(`adapter: ${adapter}${software ? ' (software)' : ''}; GPU backends: ${gpuBackends.join(', ') || 'none'}`);
      const models = [
        { name: 'LeNet-5 (28×28×1)', source: { template: 'lenet5' } },
        { name: 'CIFAR CNN (32×32×3, 32–64 filters)', source: { topology: cifarCnn() } },
      ];
      const rows: GpuBenchRow[] = [];
      for (const m of models) {
        for (const backend of ['wasm', ...gpuBackends]) {
          const train: number[] = [];
          let infer = 0;
          let first: number | null = null;
          let device = backend;
          for (let r = 0; r < roundsHere; r++) {
            const res = await socket.call<{ trainSamplesPerSec: number; inferSamplesPerSec: number; firstStepMs?: number; device: string }>('backend.bench', { backend, seconds, model: m.source, dataset: 'mnist' });
            train.push(res.trainSamplesPerSec);
            infer = Math.max(infer, res.inferSamplesPerSec);
            first ??= res.firstStepMs ?? null;
            device = res.device;
            log(`${m.name} on ${backend}, round ${r + 1}: ${Math.round(res.trainSamplesPerSec)} samples/s`);
          }
          rows.push({ model: m.name, backend, device, trainSamplesPerSec: median(train), inferSamplesPerSec: infer, firstStepMs: first, rounds: train });
        }
      }
      return { adapter, software, agent: info.gpu?.agent ?? '', unavailable, rows };
    } finally {
      socket.close();
      await browser.close();
    }
  });
}

export function formatGpuBench(r: GpuBenchReport): string {
  const lines = [
    `Adapter: ${r.adapter}${r.software ? ' — a software renderer: these figures show the code runs, not how fast a GPU is' : ''}`,
    '',
    '| model | backend | device | train samples/s (median) | × wasm | infer samples/s | first step |',
    '|---|---|---|---:|---:|---:|---:|',
  ];
  for (const row of r.rows) {
    const wasm = r.rows.find((x) => x.model === row.model && x.backend === 'wasm');
    const ratio = wasm ? (row.trainSamplesPerSec / wasm.trainSamplesPerSec).toFixed(2) : '—';
    lines.push(`| ${row.model} | ${row.backend} | ${row.device} | ${Math.round(row.trainSamplesPerSec)} | ${ratio} | ${Math.round(row.inferSamplesPerSec)} | ${row.firstStepMs === null ? '—' : `${Math.round(row.firstStepMs)} ms`} |`);
  }
  for (const u of r.unavailable) lines.push(`\n${u.backend}: unavailable — ${u.reason}`);
  return lines.join('\n');
}
