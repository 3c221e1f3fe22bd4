// Glasswing's webgpu kernels (webgpu-conv-filter-grad.ts, webgpu-adam.ts) on random shapes against
// TF.js's stock cpu kernels, in a browser: Dawn for Node finds no adapter on most machines, while
// Chromium's WebGPU runs everywhere on its software GPU (SwiftShader). e2e/web.gpu-kernels.spec.ts
// bundles this file into a page and calls window.glasswingWebGpuKernelChecks; it is not product code.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { backend_util } from '@tensorflow/tfjs-core';
import { seededRandom } from './random';
import { registerWebGpuKernels } from './webgpu-kernels';
import { setColsBudget, setWebGpuFilterGradient } from './webgpu-conv-filter-grad';
import { setWebGpuAdam } from './webgpu-adam';

export interface WebGpuKernelReport { adapter: string; checks: number; failures: string[] }

/** The largest difference over the largest reference magnitude (at least 1e-3), as the wasm/cpu kernel tests measure it. */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let diff = 0, scale = 1e-3;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

const TOL = 1e-4;
type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const values = (r: Rand, n: number): Float32Array => Float32Array.from({ length: n }, () => r() * 2 - 1);

async function on<T>(backend: string, f: () => Promise<T>): Promise<T> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  return f();
}

interface FilterCase { N: number; H: number; W: number; C: number; F: number; KH: number; KW: number; sh: number; sw: number; pad: 'same' | 'valid' | number; budget: number | null }

function filterCase(r: Rand): FilterCase {
  const big = r() < 0.2;
  const KH = int(r, 1, 5), KW = r() < 0.7 ? KH : int(r, 1, 5);
  const sh = int(r, 1, 3), sw = r() < 0.7 ? sh : int(r, 1, 3);
  const kind = r();
  const pad = kind < 0.4 ? 'same' : kind < 0.7 ? 'valid' : int(r, 0, 3);
  // A third of the cases run with a cols budget of a few images, to take the grouped path (and, below one image, the stock kernel).
  return {
    N: big ? int(r, 4, 8) : int(r, 1, 4), H: big ? int(r, 16, 32) : int(r, 1, 14), W: big ? int(r, 16, 32) : int(r, 1, 14),
    C: big ? int(r, 8, 16) : int(r, 1, 9), F: big ? int(r, 16, 32) : int(r, 1, 9), KH, KW, sh, sw, pad,
    budget: r() < 0.33 ? int(r, 1, 4) : null,
  };
}

/** dW of one random convolution through Conv2DBackpropFilter on webgpu (Glasswing's kernel) against stock cpu. */
async function checkFilterGradient(c: FilterCase, r: Rand, report: WebGpuKernelReport): Promise<void> {
  let info: backend_util.Conv2DInfo;
  try {
    info = backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [c.KH, c.KW, c.C, c.F], [c.sh, c.sw], 1, c.pad);
  } catch {
    return;
  }
  if (info.outHeight < 1 || info.outWidth < 1) return;
  const x = values(r, c.N * c.H * c.W * c.C), dy = values(r, c.N * info.outHeight * info.outWidth * c.F);
  const run = (): Promise<Float32Array> => {
    const xs = tf.tensor4d(x, [c.N, c.H, c.W, c.C]), dys = tf.tensor4d(dy, info.outShape as [number, number, number, number]);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xs, dy: dys }, { strides: [c.sh, c.sw], pad: c.pad, dataFormat: 'NHWC', filterShape: [c.KH, c.KW, c.C, c.F] }) as tf.Tensor;
    return dw.data<'float32'>().finally(() => tf.dispose([xs, dys, dw]));
  };
  const want = await on('cpu', run);
  report.checks++;
  try {
    // The budget is in floats of one group's cols: `budget` images' worth.
    if (c.budget) setColsBudget(c.budget * Math.max(info.outHeight * info.outWidth * c.KH * c.KW * c.C, c.KH * c.KW * c.C * c.F));
    const got = await on('webgpu', run);
    const e = relErr(got, want);
    if (!(e < TOL)) report.failures.push(`Conv2DBackpropFilter: rel err ${e} ${JSON.stringify(c)}`);
  } catch (e) {
    report.failures.push(`Conv2DBackpropFilter threw ${String(e).slice(0, 200)} ${JSON.stringify(c)}`);
  } finally {
    setColsBudget(1 << 25);
  }
}

/** Three Adam steps on random weights: the fused webgpu update against stock Adam on cpu (the weight's change, then both moments). */
async function checkAdam(r: Rand, k: number, report: WebGpuKernelReport): Promise<void> {
  const rank = int(r, 1, 3);
  const shape = Array.from({ length: rank }, () => int(r, 1, rank === 1 ? 300 : 17));
  const n = shape.reduce((a, b) => a * b, 1);
  const lr = 10 ** (-4 + 3 * r()), beta1 = r() < 0.5 ? 0.9 : 0.5 + 0.49 * r(), beta2 = r() < 0.5 ? 0.999 : 0.9 + 0.0999 * r(), eps = r() < 0.5 ? 1e-7 : 1e-3 * r();
  const init = values(r, n), grads = [0, 1, 2].map(() => values(r, n).map((v) => v * 10 ** int(r, -3, 1)));
  const train = async (): Promise<Float32Array[]> => {
    const w = tf.variable(tf.tensor(init, shape), true, `adam_check_${k}_${tf.getBackend()}`);
    const opt = tf.train.adam(lr, beta1, beta2, eps);
    for (const g of grads) tf.tidy(() => opt.applyGradients([{ name: w.name, tensor: tf.tensor(g, shape) }]));
    const moments = await Promise.all((await opt.getWeights()).slice(1).map((s) => s.tensor.data<'float32'>()));
    const out = [await w.data<'float32'>(), ...moments];
    opt.dispose();
    w.dispose();
    return out;
  };
  const want = await on('cpu', train);
  report.checks++;
  try {
    const got = await on('webgpu', train);
    // The weight's change, not the weight: three steps move it by about 3·lr, which a check of the weight at 1e-4 would not see.
    const moved = (w: Float32Array): Float32Array => w.map((v, i) => v - init[i]!);
    got[0] = moved(got[0]!);
    want[0] = moved(want[0]!);
    const names = ['weight change', 'first moment', 'second moment'];
    for (let i = 0; i < want.length; i++) {
      const e = relErr(got[i]!, want[i]!);
      if (!(e < TOL)) report.failures.push(`Adam ${names[i] ?? `slot ${i}`}: rel err ${e} ${JSON.stringify({ shape, lr, beta1, beta2, eps })}`);
    }
    if (got.length !== want.length) report.failures.push(`Adam: ${got.length} outputs, stock ${want.length}`);
  } catch (e) {
    report.failures.push(`Adam threw ${String(e).slice(0, 200)} ${JSON.stringify({ shape, lr })}`);
  }
}

/** Runs `cases` random filter gradients and a third as many Adam updates from `seed`. */
export async function checkWebGpuKernels(seed: number, cases: number): Promise<WebGpuKernelReport> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('WebGPU is not available in this browser (start Chromium with --enable-unsafe-webgpu)');
  registerWebGpuKernels();
  setWebGpuFilterGradient(true);
  setWebGpuAdam(true);
  const adapter = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string; description?: string } }).adapterInfo;
  const report: WebGpuKernelReport = { adapter: [adapter?.vendor, adapter?.architecture, adapter?.description].filter(Boolean).join(' '), checks: 0, failures: [] };
  const r = seededRandom(seed);
  for (let k = 0; k < cases; k++) await checkFilterGradient(filterCase(r), r, report);
  for (let k = 0; k < Math.ceil(cases / 3); k++) await checkAdam(r, k, report);
  return report;
}

(globalThis as { glasswingWebGpuKernelChecks?: typeof checkWebGpuKernels }).glasswingWebGpuKernelChecks = checkWebGpuKernels;
