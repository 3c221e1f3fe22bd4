// Fast kernels for the `cpu` backend: convolutions (Winograd, implicit GEMM, depthwise) and matrix
// products on the threaded SIMD module, large memory-bound ops (relu, clip, batch norm) there too,
// pooling and the other hot element-wise ops in tight JS loops. They read the backend's typed arrays
// directly and return through makeTensorInfo, like the stock cpu kernels.
import { backend_util, slice_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { overrideKernel, useStock } from './registry';
import { conv2dBackpropFilter, conv2dBackpropInput, conv2dForward, type FusedAct } from './conv';
import { avgPool, avgPoolGrad, maxPool, maxPoolGrad } from './pool';
import { batchMatMul } from './matmul';
import { batchNormConstants, binary, isSpatialPad, sliceInto, tileBlocks, tileInto, normalizeAxes, sum, unary, type BinaryOp, type UnaryOp } from './elementwise';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseForward, depthwiseInfo } from './depthwise';
import { util } from '@tensorflow/tfjs-core';
import { applyActivation } from './activations';
import { convInfoOf, poolInfoOf, topLeftBlock } from './conv-geometry';
import { simd, type SimdJob } from './simd/runtime';
import { parallelRange } from './gemm';
import { simdSumLeading } from './sum-leading';
import { resizeNearestNeighborGrad } from './resize';
import { phaseGeometry, phaseJob } from './space-to-batch';

const B = 'cpu';

function vals(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}
/**
 * The values as memory the cpu backend may keep: the SIMD kernels return views of their shared arena
 * (valid until the next kernel), which are copied here, once.
 */
function own(values: Float32Array): Float32Array {
  if (!(values.buffer instanceof SharedArrayBuffer)) return values;
  const out = new Float32Array(values.length);
  out.set(values);
  return out;
}
/** Element count from which memory-bound ops go through the SIMD arena (threads) rather than a JS loop. */
const SIMD_MIN = 65536;

/** y = op(x) over the SIMD arena in 4-float-aligned ranges shared among the threads (copied in and out). */
function simdMap(x: Float32Array, job: (px: number, n: number, py: number) => SimdJob): Float32Array {
  const rt = simd();
  rt.reset();
  const n = x.length;
  const px = rt.put(x), py = rt.alloc(n);
  parallelRange(rt, Math.ceil(n / 4), 16384, (lo, hi) => job(px + lo * 16, Math.min(n, hi * 4) - lo * 4, py + lo * 16));
  return own(rt.view(py, n));
}

/** Large equal-shape add/sub/mul/div, or a bias add (a trailing row broadcast), in SIMD; else null. */
function simdBinary(op: BinaryOp, aShape: number[], a: Float32Array, bShape: number[], b: Float32Array): { shape: number[]; values: Float32Array } | null {
  const n = Math.max(a.length, b.length);
  if (n < SIMD_MIN) return null;
  const code = { add: 0, sub: 1, mul: 2, div: 3 }[op as 'add'];
  if (code === undefined) return null;
  const shape = backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const rt = simd();
  rt.reset();
  if (a.length === b.length) {
    const pa = rt.put(a), pb = rt.put(b), py = rt.alloc(n);
    parallelRange(rt, Math.ceil(n / 4), 16384, (lo, hi) => ({ fn: 'binaryEq', args: [pa + lo * 16, pb + lo * 16, Math.min(n, hi * 4) - lo * 4, code, py + lo * 16] }));
    return { shape, values: own(rt.view(py, n)) };
  }
  // A bias row added along the leading axes (its shape the tail of the output's).
  if (op !== 'add') return null;
  const [full, fullShape, row, rowShape] = a.length > b.length ? [a, aShape, b, bShape] : [b, bShape, a, aShape];
  const tail = rowShape.slice(rowShape.findIndex((d) => d !== 1) < 0 ? rowShape.length : rowShape.findIndex((d) => d !== 1));
  if (fullShape.length !== shape.length || !tail.every((d, i) => d === shape[shape.length - tail.length + i])) return null;
  const cols = row.length, rows = n / cols;
  const px = rt.put(full), pr = rt.put(row), py = rt.alloc(n);
  parallelRange(rt, rows, Math.max(1, Math.ceil(16384 / cols)), (lo, hi) => ({ fn: 'biasActTo', args: [px + lo * cols * 4, hi - lo, cols, pr, 0, py + lo * cols * 4] }));
  return { shape, values: own(rt.view(py, n)) };
}

const allFloat = (...ts: (TensorInfo | undefined)[]): boolean => ts.every((t) => !t || t.dtype === 'float32');

/** The bias of a fused op, if it is one value per output channel. */
function channelBias(backend: MathBackendCPU, bias: TensorInfo | undefined, channels: number): Float32Array | null | false {
  if (!bias) return null;
  const v = vals(backend, bias);
  return v.length === channels ? v : false;
}

export function registerCpuKernels(): void {
  overrideKernel(B, 'Conv2D', (args, stock) => {
    const { x, filter } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const ci = allFloat(x, filter) ? convInfoOf(x!.shape, filter!.shape, args.attrs!, args.attrs!.dilations as [number, number]) : null;
    if (!ci) return useStock(stock, args, 'Conv2D');
    const out = conv2dForward(ci, vals(backend, x!), vals(backend, filter!), null, 'linear');
    return backend.makeTensorInfo(ci.outShape, 'float32', own(out));
  });

  overrideKernel(B, 'FusedConv2D', (args, stock) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const attrs = args.attrs!;
    const act = attrs.activation as string;
    const ci = allFloat(x, filter, bias) && !preluActivationWeights ? convInfoOf(x!.shape, filter!.shape, attrs, attrs.dilations as [number, number]) : null;
    const b = ci ? channelBias(backend, bias, ci.outChannels) : false;
    if (!ci || b === false) return useStock(stock, args, 'FusedConv2D');
    const fused: FusedAct = act === 'relu' || act === 'relu6' ? act : 'linear';
    let out = conv2dForward(ci, vals(backend, x!), vals(backend, filter!), b, fused);
    if (act !== 'relu' && act !== 'relu6' && act !== 'linear') out = applyActivation(out, act, attrs.leakyreluAlpha as number);
    return backend.makeTensorInfo(ci.outShape, 'float32', own(out));
  });

  overrideKernel(B, 'Conv2DBackpropInput', (args, stock) => {
    const { dy, filter } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const attrs = args.attrs!;
    const ci = allFloat(dy, filter) ? convInfoOf(attrs.inputShape as number[], filter!.shape, attrs, 1) : null;
    const dyv = ci ? topLeftBlock(vals(backend, dy!), dy!.shape, ci.outShape) : null;
    if (!ci || !dyv) return useStock(stock, args, 'Conv2DBackpropInput');
    const dx = conv2dBackpropInput(ci, dyv, vals(backend, filter!));
    return backend.makeTensorInfo(ci.inShape, 'float32', own(dx));
  });

  overrideKernel(B, 'Conv2DBackpropFilter', (args, stock) => {
    const { x, dy } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const attrs = args.attrs!;
    const ci = allFloat(x, dy) ? convInfoOf(x!.shape, attrs.filterShape as number[], attrs, 1) : null;
    const dyv = ci ? topLeftBlock(vals(backend, dy!), dy!.shape, ci.outShape) : null;
    if (!ci || !dyv) return useStock(stock, args, 'Conv2DBackpropFilter');
    const dw = conv2dBackpropFilter(ci, vals(backend, x!), dyv);
    return backend.makeTensorInfo(attrs.filterShape as number[], 'float32', own(dw));
  });

  overrideKernel(B, 'MaxPool', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const pi = allFloat(x) ? poolInfoOf(x!.shape, args.attrs!) : null;
    if (!pi) return useStock(stock, args, 'MaxPool');
    return backend.makeTensorInfo(pi.outShape, 'float32', own(maxPool(pi, vals(backend, x!))));
  });

  overrideKernel(B, 'AvgPool', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const pi = allFloat(x) ? poolInfoOf(x!.shape, args.attrs!) : null;
    if (!pi) return useStock(stock, args, 'AvgPool');
    return backend.makeTensorInfo(pi.outShape, 'float32', own(avgPool(pi, vals(backend, x!))));
  });

  overrideKernel(B, 'MaxPoolGrad', (args, stock) => {
    const { dy, input } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const pi = allFloat(dy, input) ? poolInfoOf(input!.shape, args.attrs!) : null;
    if (!pi) return useStock(stock, args, 'MaxPoolGrad');
    return backend.makeTensorInfo(input!.shape, 'float32', own(maxPoolGrad(pi, vals(backend, dy!), vals(backend, input!))));
  });

  overrideKernel(B, 'ResizeNearestNeighborGrad', (args, stock) => {
    const { images, dy } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    if (!allFloat(dy) || images!.shape.length !== 4 || args.attrs!.halfPixelCenters) return useStock(stock, args, 'ResizeNearestNeighborGrad');
    return backend.makeTensorInfo(images!.shape, 'float32', resizeNearestNeighborGrad(images!.shape, dy!.shape, vals(backend, dy!), args.attrs!));
  });

  overrideKernel(B, 'AvgPoolGrad', (args, stock) => {
    const { dy, input } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const pi = allFloat(dy) ? poolInfoOf(input!.shape, args.attrs!) : null;
    if (!pi) return useStock(stock, args, 'AvgPoolGrad');
    return backend.makeTensorInfo(input!.shape, 'float32', own(avgPoolGrad(pi, vals(backend, dy!))));
  });

  overrideKernel(B, 'BatchMatMul', (args, stock) => {
    const { a, b } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const attrs = args.attrs!;
    const r = allFloat(a, b) ? batchMatMul(a!.shape, vals(backend, a!), b!.shape, vals(backend, b!), !!attrs.transposeA, !!attrs.transposeB) : null;
    if (!r) return useStock(stock, args, 'BatchMatMul');
    return backend.makeTensorInfo(r.shape, 'float32', own(r.values));
  });

  overrideKernel(B, '_FusedMatMul', (args, stock) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const attrs = args.attrs!;
    const act = attrs.activation as string;
    const N = attrs.transposeB ? b!.shape[b!.shape.length - 2]! : b!.shape[b!.shape.length - 1]!;
    const bv = allFloat(a, b, bias) && !preluActivationWeights ? channelBias(backend, bias, N) : false;
    const fused = act === 'relu' || act === 'relu6' ? act : 'linear';
    const r = bv !== false ? batchMatMul(a!.shape, vals(backend, a!), b!.shape, vals(backend, b!), !!attrs.transposeA, !!attrs.transposeB, bv, fused) : null;
    if (!r) return useStock(stock, args, '_FusedMatMul');
    const out = act === fused ? r.values : applyActivation(r.values, act, attrs.leakyreluAlpha as number);
    return backend.makeTensorInfo(r.shape, 'float32', own(out));
  });

  const binaries: [string, BinaryOp][] = [['Add', 'add'], ['Sub', 'sub'], ['Multiply', 'mul'], ['RealDiv', 'div'], ['Maximum', 'max'], ['Minimum', 'min'], ['SquaredDifference', 'sqdiff']];
  for (const [name, op] of binaries) {
    overrideKernel(B, name, (args, stock) => {
      const { a, b } = args.inputs;
      const backend = args.backend as MathBackendCPU;
      if (!allFloat(a, b)) return useStock(stock, args, name);
      const av = vals(backend, a!), bv = vals(backend, b!);
      const big = simdBinary(op, a!.shape, av, b!.shape, bv);
      if (big) return backend.makeTensorInfo(big.shape, 'float32', big.values);
      const r = binary(op, a!.shape, av, b!.shape, bv);
      if (!r) return useStock(stock, args, name);
      return backend.makeTensorInfo(r.shape, 'float32', own(r.values));
    });
  }

  const unaries: [string, UnaryOp][] = [['Relu', 'relu'], ['Relu6', 'relu6'], ['Step', 'step'], ['Sqrt', 'sqrt'], ['Square', 'square'], ['Neg', 'neg']];
  for (const [name, op] of unaries) {
    overrideKernel(B, name, (args, stock) => {
      const { x } = args.inputs;
      const backend = args.backend as MathBackendCPU;
      if (!allFloat(x)) return useStock(stock, args, name);
      const v = vals(backend, x!);
      if ((op === 'relu' || op === 'relu6') && v.length >= SIMD_MIN) {
        const hi = op === 'relu6' ? 6 : Infinity;
        return backend.makeTensorInfo(x!.shape, 'float32', simdMap(v, (px, n, py) => ({ fn: 'clamp', args: [px, n, 0, hi, py] })));
      }
      return backend.makeTensorInfo(x!.shape, 'float32', own(unary(op, vals(backend, x!), (args.attrs?.alpha as number) ?? 0)));
    });
  }

  overrideKernel(B, 'Sum', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const attrs = args.attrs!;
    if (!allFloat(x)) return useStock(stock, args, 'Sum');
    const axes = normalizeAxes(attrs.axis as number | number[], x!.shape.length);
    const v = vals(backend, x!);
    const r = (v.length >= SIMD_MIN ? simdSumLeading(x!.shape, v, axes) : null) ?? sum(x!.shape, v, axes);
    if (!r) return useStock(stock, args, 'Sum');
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(r.shape, axes) : r.shape;
    return backend.makeTensorInfo(shape, 'float32', own(r.values));
  });

  overrideKernel(B, 'Mean', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const attrs = args.attrs!;
    if (!allFloat(x)) return useStock(stock, args, 'Mean');
    const axes = normalizeAxes(attrs.axis as number | number[], x!.shape.length);
    const r = sum(x!.shape, vals(backend, x!), axes);
    if (!r) return useStock(stock, args, 'Mean');
    const count = util.sizeFromShape(x!.shape) / Math.max(1, r.values.length);
    for (let i = 0; i < r.values.length; i++) r.values[i] = r.values[i]! / count;
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(r.shape, axes) : r.shape;
    return backend.makeTensorInfo(shape, 'float32', own(r.values));
  });

  overrideKernel(B, 'ClipByValue', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    if (!allFloat(x)) return useStock(stock, args, 'ClipByValue');
    const lo = args.attrs!.clipValueMin as number, hi = args.attrs!.clipValueMax as number;
    const v = vals(backend, x!);
    if (v.length >= SIMD_MIN) return backend.makeTensorInfo(x!.shape, 'float32', simdMap(v, (px, n, py) => ({ fn: 'clamp', args: [px, n, lo, hi, py] })));
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) { const e = v[i]!; out[i] = e < lo ? lo : e > hi ? hi : e; }
    return backend.makeTensorInfo(x!.shape, 'float32', out);
  });

  overrideKernel(B, 'FusedBatchNorm', (args, stock) => {
    const { x, mean, variance, offset, scale } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    if (!allFloat(x, mean, variance, offset, scale) || x!.shape.length === 0) return useStock(stock, args, 'FusedBatchNorm');
    const C = x!.shape[x!.shape.length - 1]!;
    const k = batchNormConstants(C, vals(backend, mean!), vals(backend, variance!), offset ? vals(backend, offset) : null, scale ? vals(backend, scale) : null,
      (args.attrs!.varianceEpsilon as number | undefined) ?? 0.001);
    if (!k) return useStock(stock, args, 'FusedBatchNorm');
    const v = vals(backend, x!);
    if (v.length >= SIMD_MIN) {
      const rt = simd();
      rt.reset();
      const rows = v.length / C;
      const px = rt.put(v), py = rt.alloc(v.length), pm = rt.put(k.mean), pa = rt.put(k.scale), pb = rt.put(k.shift);
      parallelRange(rt, rows, Math.max(1, Math.ceil(16384 / C)), (lo, hi) => ({ fn: 'scaleShift', args: [px + lo * C * 4, hi - lo, C, pm, pa, pb, py + lo * C * 4] }));
      return backend.makeTensorInfo(x!.shape, 'float32', own(rt.view(py, v.length)));
    }
    const out = new Float32Array(v.length);
    const { mean: m, scale: a, shift: b } = k;
    for (let i = 0, c = 0; i < v.length; i++) { out[i] = (v[i]! - m[c]!) * a[c]! + b[c]!; if (++c === C) c = 0; }
    return backend.makeTensorInfo(x!.shape, 'float32', out);
  });

  overrideKernel(B, 'PadV2', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const paddings = args.attrs!.paddings as [number, number][];
    if (!allFloat(x) || !isSpatialPad(x!.shape, paddings)) return useStock(stock, args, 'PadV2');
    const [N, H, W, C] = x!.shape as [number, number, number, number];
    const [[pt, pb], [pl, pr]] = [paddings[1]!, paddings[2]!];
    const OH = H + pt + pb, OW = W + pl + pr;
    const v = vals(backend, x!);
    const out = new Float32Array(N * OH * OW * C);
    const value = args.attrs!.constantValue as number;
    if (value !== 0) out.fill(value);
    for (let n = 0; n < N; n++) for (let y = 0; y < H; y++) {
      out.set(v.subarray((n * H + y) * W * C, (n * H + y + 1) * W * C), ((n * OH + y + pt) * OW + pl) * C);
    }
    return backend.makeTensorInfo([N, OH, OW, C], 'float32', out);
  });

  overrideKernel(B, 'DepthwiseConv2dNative', (args, stock) => {
    const { x, filter } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const ci = allFloat(x, filter) ? depthwiseInfo(x!.shape, filter!.shape, args.attrs!) : null;
    if (!ci) return useStock(stock, args, 'DepthwiseConv2dNative');
    return backend.makeTensorInfo(ci.outShape, 'float32', own(depthwiseForward(ci, vals(backend, x!), vals(backend, filter!), null, 'linear')));
  });

  overrideKernel(B, 'FusedDepthwiseConv2D', (args, stock) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const attrs = args.attrs!;
    const act = attrs.activation as string;
    const ci = allFloat(x, filter, bias) && !preluActivationWeights ? depthwiseInfo(x!.shape, filter!.shape, attrs) : null;
    const b = ci ? channelBias(backend, bias, ci.outChannels) : false;
    if (!ci || b === false) return useStock(stock, args, 'FusedDepthwiseConv2D');
    const fused: FusedAct = act === 'relu' || act === 'relu6' ? act : 'linear';
    let out = depthwiseForward(ci, vals(backend, x!), vals(backend, filter!), b, fused);
    if (act !== fused) out = applyActivation(out, act, attrs.leakyreluAlpha as number);
    return backend.makeTensorInfo(ci.outShape, 'float32', own(out));
  });

  overrideKernel(B, 'DepthwiseConv2dNativeBackpropInput', (args, stock) => {
    const { dy, filter } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const ci = allFloat(dy, filter) ? depthwiseInfo(args.attrs!.inputShape as number[], filter!.shape, args.attrs!) : null;
    if (!ci) return useStock(stock, args, 'DepthwiseConv2dNativeBackpropInput');
    return backend.makeTensorInfo(ci.inShape, 'float32', own(depthwiseBackpropInput(ci, vals(backend, dy!), vals(backend, filter!))));
  });

  overrideKernel(B, 'DepthwiseConv2dNativeBackpropFilter', (args, stock) => {
    const { x, dy } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const ci = allFloat(x, dy) ? depthwiseInfo(x!.shape, args.attrs!.filterShape as number[], args.attrs!) : null;
    if (!ci) return useStock(stock, args, 'DepthwiseConv2dNativeBackpropFilter');
    return backend.makeTensorInfo(args.attrs!.filterShape as number[], 'float32', own(depthwiseBackpropFilter(ci, vals(backend, x!), vals(backend, dy!))));
  });

  // The phase split and merge of dilated convolutions' training (space-to-batch.ts), copied through the arena.
  const phases = (name: 'SpaceToBatchND' | 'BatchToSpaceND', mode: 0 | 1): void => overrideKernel(B, name, (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const { blockShape } = args.attrs as unknown as { blockShape: number[] };
    const edges = (mode === 0 ? args.attrs!.paddings : args.attrs!.crops) as number[][];
    const g = allFloat(x) ? phaseGeometry(x!.shape, blockShape, edges) : null;
    if (!g) return useStock(stock, args, name);
    const job = phaseJob(g, edges, mode), n = util.sizeFromShape(job.shape);
    const rt = simd();
    rt.reset();
    const pin = rt.put(vals(backend, x!)), pout = rt.alloc(n);
    const fnArgs = mode === 0 ? job.args(pin, pout) : job.args(pout, pin);
    parallelRange(rt, job.rows, 16, (lo, hi) => ({ fn: 'spaceToBatch2d', args: [...fnArgs, lo, hi] }));
    return backend.makeTensorInfo(job.shape, 'float32', own(rt.view(pout, n)));
  });
  phases('SpaceToBatchND', 0);
  phases('BatchToSpaceND', 1);

  // Batch-norm and global-average-pooling gradients tile rows over the batch or each image; the
  // stock kernel indexes every element.
  overrideKernel(B, 'Tile', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    const reps = args.attrs!.reps as number[];
    const blocks = allFloat(x) ? tileBlocks(x!.shape, reps) : null;
    if (blocks === null) return useStock(stock, args, 'Tile');
    const v = vals(backend, x!);
    const out = new Float32Array(v.length * blocks.copies);
    tileInto(out, v, blocks);
    return backend.makeTensorInfo(x!.shape.map((d, i) => d * reps[i]!), 'float32', out);
  });

  // A strided slice (the gradient of a padding: rows of an image) in contiguous runs; the stock
  // kernel walks every element through index arithmetic (1.7 s for one of MobileNet's).
  overrideKernel(B, 'Slice', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as MathBackendCPU;
    if (!allFloat(x)) return useStock(stock, args, 'Slice');
    const [begin, size] = slice_util.parseSliceParams(x!, args.attrs!.begin as number[], args.attrs!.size as number[]);
    slice_util.assertParamsValid(x!, begin, size);
    if (size.some((d) => d === 0)) return useStock(stock, args, 'Slice');
    const out = new Float32Array(size.reduce((p, q) => p * q, 1));
    sliceInto(x!.shape, vals(backend, x!), begin, size, out);
    return backend.makeTensorInfo(size, 'float32', out);
  });
}
