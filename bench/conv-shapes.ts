// Each pass of one convolution (forward with bias + relu, input gradient, filter gradient) on its
// own, per shape of the size class the bench's CNNs belong to (batch 32): milliseconds per call
// (median of 20, after at least 30 warm-up calls and 0.4 s) and the direct convolution's
// multiply-adds per second, so that a path that is slow for one geometry (stride, padding, odd
// size, few channels) stands out beside the others. No read-back is timed: the kernels are
// synchronous, and copying a 10 MB result out would be most of a stride-1 layer's time. Beside
// each pass, PyTorch's time for the same convolution in the same run (bench/conv_shapes_torch.py,
// with the bench's BENCH_PYTHON and BENCH_TORCH_THREADS) and the ratio PyTorch ÷ Glasswing
// (above 1: Glasswing is faster).
//   node --import tsx bench/conv-shapes.ts [--backend wasm|cpu] [--filter TEXT]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, useBackend } from '../engine/backends';
import { registerFastKernels } from '../engine/kernels';
import { median, torchPython, torchThreads } from '../engine/bench/bench';

interface ConvShape { size: number; channels: number; filters: number; kernel: number; stride: number; padding: 'same' | 'valid' }

const shape = (size: number, channels: number, filters: number, kernel: number, stride: number, padding: 'same' | 'valid'): ConvShape =>
  ({ size, channels, filters, kernel, stride, padding });

const SHAPES: ConvShape[] = [
  shape(48, 3, 32, 3, 2, 'same'), shape(64, 3, 32, 5, 2, 'same'), shape(64, 3, 32, 7, 1, 'same'),
  shape(31, 32, 64, 3, 2, 'valid'), shape(15, 64, 128, 3, 2, 'valid'), shape(24, 32, 64, 3, 2, 'same'), shape(23, 32, 64, 3, 2, 'same'),
  shape(12, 64, 128, 3, 2, 'same'), shape(64, 16, 32, 3, 2, 'same'), shape(20, 48, 96, 3, 2, 'same'),
  shape(32, 16, 16, 3, 1, 'same'), shape(48, 32, 32, 3, 1, 'same'), shape(24, 64, 64, 3, 1, 'same'), shape(22, 64, 64, 3, 1, 'valid'), shape(24, 48, 48, 3, 1, 'same'), shape(32, 24, 48, 3, 1, 'same'),
  shape(24, 32, 64, 5, 1, 'same'), shape(32, 32, 64, 5, 2, 'same'), shape(31, 32, 64, 5, 2, 'valid'), shape(32, 32, 64, 7, 1, 'same'),
  shape(16, 64, 128, 1, 1, 'same'),
];

const BATCH = 32;

function msPerCall(run: () => tf.Tensor): number {
  // Warm-up by count and by time: V8 first runs a kernel as baseline code and swaps in the
  // optimized build when its background compile is done; before that a 3-channel layer ran 2× slower.
  const warmUntil = performance.now() + 400;
  for (let i = 0; i < 30 || performance.now() < warmUntil; i++) run().dispose();
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    run().dispose();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const PASSES = ['forward', 'input', 'filter'] as const;
type Passes = Record<(typeof PASSES)[number], number>;
/** PyTorch's figures for one shape: its output's height and width, to check it convolved the same. */
type TorchPasses = Passes & { output: [number, number] };

/** PyTorch's milliseconds per pass for each shape, or why there are none. */
function pytorchTimes(shapes: ConvShape[]): TorchPasses[] | string {
  const python = torchPython();
  if (typeof python !== 'string') return python.skipped;
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'conv_shapes_torch.py');
  const r = spawnSync(python, [script, '--shapes', JSON.stringify(shapes), '--batch', String(BATCH), '--threads', String(torchThreads())], { encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status !== 0) return `PyTorch did not run: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as TorchPasses[];
  } catch {
    return 'PyTorch printed no JSON';
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const backend = (flag('--backend') ?? 'wasm') as 'wasm' | 'cpu';
  const only = flag('--filter');
  await useBackend(backend);
  registerFastKernels();
  const nameOf = (s: ConvShape): string => `${s.kernel}×${s.kernel} s${s.stride} ${s.padding} ${s.channels}→${s.filters} at ${s.size}×${s.size}`;
  const shapes = SHAPES.filter((s) => !only || nameOf(s).includes(only));
  const torch = pytorchTimes(shapes);
  console.log(`### one convolution per pass on ${backend}, batch ${BATCH}${typeof torch === 'string' ? ` (no PyTorch column: ${torch})` : ', PyTorch in brackets'}`);
  console.log('| convolution | output | forward ms | input gradient ms | filter gradient ms | ×PyTorch (forward / input / filter) | GMAC/s (forward / input / filter) |');
  console.log('|---|---|---:|---:|---:|---|---|');
  for (const [i, s] of shapes.entries()) {
    const name = nameOf(s);
    const torchRef = typeof torch === 'string' ? null : torch[i]!;
    const x = tf.randomNormal([BATCH, s.size, s.size, s.channels]) as tf.Tensor4D;
    const w = tf.randomNormal([s.kernel, s.kernel, s.channels, s.filters]) as tf.Tensor4D;
    const bias = tf.randomNormal([s.filters]) as tf.Tensor1D;
    const y = tf.conv2d(x, w, s.stride, s.padding);
    const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
    const [, OH, OW] = y.shape;
    const attrs = { strides: [s.stride, s.stride], pad: s.padding, dataFormat: 'NHWC', dilations: [1, 1] };
    const ours: Passes = {
      forward: msPerCall(() => tf.fused.conv2d({ x, filter: w, strides: s.stride, pad: s.padding, bias, activation: 'relu' })),
      input: msPerCall(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape } as never) as tf.Tensor),
      filter: msPerCall(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape } as never) as tf.Tensor),
    };
    // A reference that convolved to another size multiplied another number of times: no ratio.
    const ref = torchRef && torchRef.output[0] === OH && torchRef.output[1] === OW ? torchRef : null;
    const macs = BATCH * OH * OW * s.filters * s.channels * s.kernel * s.kernel;
    const cell = (pass: keyof Passes): string => `${ours[pass].toFixed(2)}${ref ? ` (${ref[pass].toFixed(2)})` : ''}`;
    const ratios = ref ? PASSES.map((pass) => (ref[pass] / ours[pass]).toFixed(2)).join(' / ') : '–';
    const rates = PASSES.map((pass) => (macs / ours[pass] / 1e6).toFixed(0)).join(' / ');
    console.log(`| ${name} | ${OH}×${OW} | ${cell('forward')} | ${cell('input')} | ${cell('filter')} | ${ratios} | ${rates} |`);
    tf.dispose([x, w, bias, y, dy]);
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
