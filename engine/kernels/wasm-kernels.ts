// Kernels the `wasm` backend lacks for training (Conv2DBackpropFilter, the depthwise gradients:
// without them no convolution can learn), and replacements for its slow or single-threaded ones: its
// Conv2DBackpropInput, MaxPoolGrad and transposed BatchMatMul are naive loops; XNNPACK's forward
// convolutions run on one thread (Glasswing's threaded Winograd / implicit GEMM take the larger
// ones); its broadcasting binary ops walk an index per element; FusedBatchNorm indexes every
// parameter per element; Sum over leading axes transposes first; its depthwise convolution returns
// zeros for some shapes; Identity and same-type Cast copy what TF.js treats as immutable anyway.
// The backend's heap is normally Glasswing's shared memory (wasm-heap.ts): compute-bound kernels run
// on its threads reading their operands in place and writing straight into the output tensor;
// memory-bound ones run single-threaded in place. Where the heap is not shared, compute-bound kernels
// copy operands into the kernels' arena and results back, and memory-bound ones run in place through
// a non-shared instance of the same SIMD module.
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { overrideKernel, useStock } from './registry';
import { conv2dBackpropFilter, conv2dBackpropInput, conv2dForward, preferFastConv, type FusedAct } from './conv';
import { avgPoolGrad, isMaxPool2x2, maxPool, maxPoolGrad } from './pool';
import { batchMatMul, batchMatMulShape } from './matmul';
import { binaryInto, handlesBroadcast, normalizeAxes } from './elementwise';
import { simd } from './simd/runtime';
import { applyActivation } from './activations';
import { convInfoOf, holdsBlock, poolInfoOf, topLeftBlock } from './conv-geometry';
import { addrOf, heapOf, memoryBoundOnThreads, runOverItems, shareHeapWithKernels, sharesKernelMemory, tensorsInPlace, withScratch } from './wasm-heap';
import { elementwiseOnThreads, parallelRange } from './gemm';
import { simdSumLeading } from './sum-leading';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseForward, depthwiseGeometry, depthwiseInfo, depthwiseWorkBytes } from './depthwise';
import { batchNormConstants, isSpatialPad, reductionBlocks, tileBlocks, tileInto } from './elementwise';
import { phaseGeometry, phaseJob } from './space-to-batch';

const B = 'wasm';

function view(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function output(backend: BackendWasm, shape: number[], values: Float32Array): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).set(values);
  return out;
}

/**
 * A new tensor of `shape` holding what `kernel` (a threaded SIMD kernel) returns. Where the heap is
 * the kernels' memory the kernel writes its result straight into the tensor (its operands are read
 * in place too); otherwise the result is copied in.
 */
function computeInto(backend: BackendWasm, shape: number[], kernel: () => Float32Array): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const n = util.sizeFromShape(shape);
  if (!tensorsInPlace(backend)) {
    view(backend, out).set(kernel());
    return out;
  }
  const at = addrOf(backend, out);
  const values = simd().withResultAt(at, n, kernel);
  if (values.byteOffset !== at) view(backend, out).set(values);
  return out;
}

/**
 * The stock kernel, given the padding `ci` computed, spelled out, where the attributes would have
 * XNNPACK work it out wrongly. The stock wasm Conv2D, FusedConv2D and FusedDepthwiseConv2D
 * (XNNPACK with its TensorFlow-SAME flag) return zeros when 'same' padding is none along an axis
 * (the stride larger than the kernel, the input a multiple of the stride: a 1x3 filter at stride 2
 * on 12x12), and read past the input where a numeric padding rounded up puts windows past it
 * (convInfoOf then gives explicit padding that covers them).
 */
function stockWithPaddingSpelledOut(stock: KernelFunc | null, args: Parameters<KernelFunc>[0], name: string, ci: backend_util.Conv2DInfo | null): TensorInfo | TensorInfo[] {
  const covered = ci?.padInfo.type === 'EXPLICIT' && args.attrs!.dimRoundingMode != null;
  if (!ci || (ci.padInfo.type !== 'SAME' && !covered)) return useStock(stock, args, name);
  const { top, bottom, left, right } = ci.padInfo;
  const pad = [[0, 0], [top, bottom], [left, right], [0, 0]];
  return useStock(stock, { ...args, attrs: { ...args.attrs, pad, dimRoundingMode: undefined } as unknown as NamedAttrMap }, name);
}

/**
 * The stock wasm _FusedMatMul (XNNPACK) applies its bias, PReLU weights or activation wrongly when an
 * operand is transposed or the product is batched (rel. error 0.1-1: a 10x63 by 5x63ᵀ product with a
 * bias, 72x170 by 77x170ᵀ with relu alone, two 15x14 by 14x53 with a bias). Those run Glasswing's product (bias, relu and relu6 in its epilogue) and the
 * other activations after it; the rest stay stock (XNNPACK is faster on one thread for small layers).
 */
function fusedMatMulBesideStock(stock: KernelFunc | null, args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] {
  const { a, b, bias, preluActivationWeights: prelu } = args.inputs;
  const attrs = args.attrs!;
  const tA = !!attrs.transposeA, tB = !!attrs.transposeB;
  const batched = util.sizeFromShape(a!.shape.slice(0, -2)) > 1 || util.sizeFromShape(b!.shape.slice(0, -2)) > 1;
  const act = attrs.activation as string;
  if ((!bias && !prelu && act === 'linear') || (!tA && !tB && !batched)) return useStock(stock, args, '_FusedMatMul');
  const N = tB ? b!.shape[b!.shape.length - 2]! : b!.shape[b!.shape.length - 1]!;
  const ok = [a, b, bias, prelu].every((t) => !t || t.dtype === 'float32') && (!bias || util.sizeFromShape(bias.shape) === N) &&
    (!prelu || [1, N].includes(util.sizeFromShape(prelu.shape))) && (FUSED_ACTS.has(act) || ['elu', 'sigmoid', 'leakyrelu', 'prelu'].includes(act));
  const shape = ok ? batchMatMulShape(a!.shape, b!.shape, tA, tB) : null;
  if (!shape) return useStock(stock, args, '_FusedMatMul');
  const backend = args.backend as BackendWasm;
  const fused = act === 'relu' || act === 'relu6' ? act : 'linear';
  return computeInto(backend, shape, () => {
    const y = batchMatMul(a!.shape, view(backend, a!), b!.shape, view(backend, b!), tA, tB, bias ? view(backend, bias) : null, fused)!.values;
    if (act === fused) return y;
    if (act !== 'prelu') return applyActivation(y, act, (attrs.leakyreluAlpha as number | undefined) ?? 0.2);
    const w = view(backend, prelu!), per = w.length;
    for (let i = 0; i < y.length; i++) if (y[i]! < 0) y[i]! *= w[per === 1 ? 0 : i % N]!;
    return y;
  });
}

const FUSED_ACTS = new Set(['linear', 'relu', 'relu6']);
/** From this many multiply-adds a dense layer's product is worth the threads and the copies. */
const WASM_MATMUL_MIN_MACS = Number(process.env.GLASSWING_WASM_MATMUL_MIN) >= 0 ? Number(process.env.GLASSWING_WASM_MATMUL_MIN) : 4e6;

export function registerWasmKernels(): void {
  shareHeapWithKernels();
  // Forward convolutions: XNNPACK (single-threaded here) stays where it is faster; Glasswing's
  // threaded implicit GEMM / Winograd takes the larger ones (preferFastConv in conv.ts).
  overrideKernel(B, 'Conv2D', (args, stock) => {
    const { x, filter } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const ci = x!.dtype === 'float32' && filter!.dtype === 'float32' ? convInfoOf(x!.shape, filter!.shape, attrs, attrs.dilations as [number, number]) : null;
    if (!ci || !preferFastConv(ci, 'wasm', tensorsInPlace(backend))) return stockWithPaddingSpelledOut(stock, args, 'Conv2D', ci);
    return computeInto(backend, ci.outShape, () => conv2dForward(ci, view(backend, x!), view(backend, filter!), null, 'linear'));
  });

  overrideKernel(B, 'FusedConv2D', (args, stock) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const act = attrs.activation as string;
    const ok = x!.dtype === 'float32' && filter!.dtype === 'float32' && (!bias || bias.dtype === 'float32') && !preluActivationWeights && FUSED_ACTS.has(act);
    const ci = x!.dtype === 'float32' && filter!.dtype === 'float32' ? convInfoOf(x!.shape, filter!.shape, attrs, attrs.dilations as [number, number]) : null;
    if (!ok || !ci || (bias && util.sizeFromShape(bias.shape) !== ci.outChannels) || !preferFastConv(ci, 'wasm', tensorsInPlace(backend))) return stockWithPaddingSpelledOut(stock, args, 'FusedConv2D', ci);
    return computeInto(backend, ci.outShape, () => conv2dForward(ci, view(backend, x!), view(backend, filter!), bias ? view(backend, bias) : null, act as FusedAct));
  });

  overrideKernel(B, 'Conv2DBackpropFilter', (args, stock) => {
    const { x, dy } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const ci = x!.dtype === 'float32' && dy!.dtype === 'float32' ? convInfoOf(x!.shape, attrs.filterShape as number[], attrs) : null;
    if (!ci) return useStock(stock, args, 'Conv2DBackpropFilter');
    if (!holdsBlock(dy!.shape, ci.outShape)) throw new Error(`Conv2DBackpropFilter: dy ${JSON.stringify(dy!.shape)} is smaller than the convolution's output ${JSON.stringify(ci.outShape)}`);
    // Views of the heap inside the kernel: making the output can grow (and, unshared, detach) it.
    return computeInto(backend, attrs.filterShape as number[], () => conv2dBackpropFilter(ci, view(backend, x!), topLeftBlock(view(backend, dy!), dy!.shape, ci.outShape)!));
  });

  overrideKernel(B, 'Conv2DBackpropInput', (args, stock) => {
    const { dy, filter } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const ci = dy!.dtype === 'float32' && filter!.dtype === 'float32' ? convInfoOf(attrs.inputShape as number[], filter!.shape, attrs) : null;
    if (!ci) return useStock(stock, args, 'Conv2DBackpropInput');
    if (!holdsBlock(dy!.shape, ci.outShape)) throw new Error(`Conv2DBackpropInput: dy ${JSON.stringify(dy!.shape)} is smaller than the convolution's output ${JSON.stringify(ci.outShape)}`);
    return computeInto(backend, ci.inShape, () => conv2dBackpropInput(ci, topLeftBlock(view(backend, dy!), dy!.shape, ci.outShape)!, view(backend, filter!)));
  });

  overrideKernel(B, 'MaxPoolGrad', (args, stock) => {
    const { dy, input } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const pi = dy!.dtype === 'float32' && input!.dtype === 'float32' ? poolInfoOf(input!.shape, attrs) : null;
    if (!pi) return useStock(stock, args, 'MaxPoolGrad');
    // Straight into the output's heap buffer: no temporary and copy per call.
    const out = backend.makeOutput(input!.shape, 'float32');
    const heap = heapOf(backend);
    if (heap && isMaxPool2x2(pi)) {
      const args = [addrOf(backend, input!), addrOf(backend, dy!), addrOf(backend, out), pi.inHeight, pi.inWidth, pi.inChannels, pi.outHeight, pi.outWidth];
      runOverItems(backend, 'maxPoolGrad2x2', args, pi.batchSize, util.sizeFromShape(input!.shape));
      return out;
    }
    maxPoolGrad(pi, view(backend, dy!), view(backend, input!), backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  });

  // Average pooling's gradient: the stock kernel took 20 ms for a 32x32x32 batch of 32 (2x2 windows).
  // Windows that tile the image (Keras's default) spread dy in one SIMD pass on the threads; others
  // as the stock cpu kernel computes them, straight into the output.
  overrideKernel(B, 'AvgPoolGrad', (args, stock) => {
    const { dy, input } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const pi = dy!.dtype === 'float32' && input!.shape.length === 4 ? poolInfoOf(input!.shape, attrs) : null;
    if (!pi) return useStock(stock, args, 'AvgPoolGrad');
    const out = backend.makeOutput(input!.shape, 'float32');
    const heap = heapOf(backend);
    const tiled = pi.strideHeight === pi.filterHeight && pi.strideWidth === pi.filterWidth && pi.padInfo.top === 0 && pi.padInfo.left === 0 &&
      pi.padInfo.bottom <= 0 && pi.padInfo.right <= 0 && pi.dilationHeight === 1 && pi.dilationWidth === 1;
    if (heap && tiled) {
      const args = [addrOf(backend, dy!), addrOf(backend, out), pi.inHeight, pi.inWidth, pi.inChannels, pi.outHeight, pi.outWidth, pi.filterHeight, pi.filterWidth, 1 / (pi.filterHeight * pi.filterWidth)];
      runOverItems(backend, 'avgPoolGradTiled', args, pi.batchSize, util.sizeFromShape(input!.shape));
      return out;
    }
    (backend.typedArrayFromHeap(out) as Float32Array).set(avgPoolGrad(pi, view(backend, dy!)));
    return out;
  });

  // Nearest-neighbour resizing by whole factors (UpSampling2D) and its gradient: the stock kernels
  // index every value (the gradient took 55 ms of a 125 ms step); here copies of channel vectors
  // and sums of each block, one task per image on the threads for large tensors.
  for (const [name, fn] of [['ResizeNearestNeighbor', 'upsampleNearest'], ['ResizeNearestNeighborGrad', 'upsampleNearestGrad']] as const) {
    overrideKernel(B, name, (args, stock) => {
      const backend = args.backend as BackendWasm;
      const attrs = args.attrs!;
      const heap = heapOf(backend);
      // images: the small tensor either way; the gradient reads dy (the large one).
      const small = args.inputs.images!;
      const big = name === 'ResizeNearestNeighbor' ? null : args.inputs.dy!;
      const src = big ?? small;
      if (!heap || src.dtype !== 'float32' || small.shape.length !== 4 || attrs.alignCorners || attrs.halfPixelCenters) return useStock(stock, args, name);
      const [N, H, W, C] = small.shape as [number, number, number, number];
      const [OH, OW] = big ? [big.shape[1]!, big.shape[2]!] : (attrs.size as [number, number]);
      if (H === 0 || W === 0 || OH % H !== 0 || OW % W !== 0) return useStock(stock, args, name);
      const fy = OH / H, fx = OW / W;
      const out = backend.makeOutput(big ? small.shape : [N, OH, OW, C], 'float32');
      runOverItems(backend, fn, [addrOf(backend, src), H, W, C, fy, fx, addrOf(backend, out)], N, N * OH * OW * C);
      return out;
    });
  }

  overrideKernel(B, 'BatchMatMul', (args, stock) => {
    const { a, b } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const tA = !!attrs.transposeA, tB = !!attrs.transposeB;
    const shape = a!.dtype === 'float32' && b!.dtype === 'float32' ? batchMatMulShape(a!.shape, b!.shape, tA, tB) : null;
    if (!shape) return useStock(stock, args, 'BatchMatMul');
    return computeInto(backend, shape, () => batchMatMul(a!.shape, view(backend, a!), b!.shape, view(backend, b!), tA, tB)!.values);
  });

  // Dense layers at inference (and linear ones in training): XNNPACK's fully-connected runs on one
  // thread; large ones go to the threaded GEMM with bias and relu/relu6 in its epilogue.
  overrideKernel(B, '_FusedMatMul', (args, stock) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const act = attrs.activation as string;
    const ra = a!.shape.length, rb = b!.shape.length;
    const M = attrs.transposeA ? a!.shape[ra - 1]! : a!.shape[ra - 2]!;
    const K = attrs.transposeA ? a!.shape[ra - 2]! : a!.shape[ra - 1]!;
    const N = attrs.transposeB ? b!.shape[rb - 2]! : b!.shape[rb - 1]!;
    const ok = a!.dtype === 'float32' && b!.dtype === 'float32' && (!bias || (bias.dtype === 'float32' && util.sizeFromShape(bias.shape) === N)) &&
      !preluActivationWeights && FUSED_ACTS.has(act) && simd().threads > 1 && M * N * K >= WASM_MATMUL_MIN_MACS;
    const tA = !!attrs.transposeA, tB = !!attrs.transposeB;
    const shape = ok ? batchMatMulShape(a!.shape, b!.shape, tA, tB) : null;
    if (!shape) return fusedMatMulBesideStock(stock, args);
    return computeInto(backend, shape, () => batchMatMul(a!.shape, view(backend, a!), b!.shape, view(backend, b!), tA, tB, bias ? view(backend, bias) : null, act as 'linear')!.values);
  });

  const binaries: [string, 'add' | 'sub' | 'mul' | 'div'][] = [['Add', 'add'], ['Sub', 'sub'], ['Multiply', 'mul'], ['RealDiv', 'div']];
  for (const [name, op] of binaries) {
    overrideKernel(B, name, (args, stock) => {
      const { a, b } = args.inputs;
      const backend = args.backend as BackendWasm;
      if (a!.dtype !== 'float32' || b!.dtype !== 'float32') return useStock(stock, args, name);
      const shape = backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
      // A row broadcast (bias) is slow in the stock kernel; equal shapes and scalars stay there,
      // except large equal shapes where the heap is shared: those split over the threads.
      const na = util.sizeFromShape(a!.shape), nb = util.sizeFromShape(b!.shape);
      if (na === nb && memoryBoundOnThreads(backend, na)) {
        const out = backend.makeOutput(shape, 'float32');
        const pa = addrOf(backend, a!), pb = addrOf(backend, b!), py = addrOf(backend, out), code = BINARY_CODE[op];
        simd().reset();
        elementwiseOnThreads(simd(), na, (o, len) => ({ fn: 'binaryEq', args: [pa + o, pb + o, len, code, py + o] }));
        return out;
      }
      if (na === nb || na === 1 || nb === 1 || !handlesBroadcast(a!.shape, b!.shape, shape)) return useStock(stock, args, name);
      const out = backend.makeOutput(shape, 'float32');
      // A row broadcast: a bias add, batch normalization's per-channel products and differences.
      // SIMD in Glasswing's module, in place on the backend's heap (the stock kernel's general
      // broadcast path computes every element's indices: 4-9 ms per million values).
      const rowFirst = na < nb;
      const [full, row] = rowFirst ? [b!, a!] : [a!, b!];
      const n = Math.max(na, nb), r = Math.min(na, nb), code = BINARY_CODE[op];
      const heap = heapOf(backend);
      if (heap && memoryBoundOnThreads(backend, n)) {
        const pf = addrOf(backend, full), prow = addrOf(backend, row), po = addrOf(backend, out);
        simd().reset();
        parallelRange(simd(), n / r, Math.ceil(65536 / r), (r0, r1) => ({ fn: 'rowBinary', args: [pf + r0 * r * 4, r1 - r0, r, prow, code, rowFirst ? 1 : 0, po + r0 * r * 4] }));
        return out;
      }
      if (heap) {
        heap.rowBinary(addrOf(backend, full), n / r, r, addrOf(backend, row), code, rowFirst ? 1 : 0, addrOf(backend, out));
        return out;
      }
      if (op === 'add') {
        // The heap is not reachable: through the shared arena.
        const rt = simd();
        rt.reset();
        const px = rt.put(view(backend, full)), pb = rt.put(view(backend, row));
        rt.exports.biasAct(px, n / r, r, pb, 0);
        view(backend, out).set(rt.view(px, n));
        return out;
      }
      binaryInto(op, view(backend, a!), view(backend, b!), shape, a!.shape, b!.shape, view(backend, out));
      return out;
    });
  }

  // Relu and Relu6 over large tensors where the heap is shared: a clamp split over the threads (NaN
  // stays NaN, as in the stock kernels).
  for (const [name, hi] of [['Relu', Infinity], ['Relu6', 6]] as const) {
    overrideKernel(B, name, (args, stock) => {
      const { x } = args.inputs;
      const backend = args.backend as BackendWasm;
      const n = util.sizeFromShape(x!.shape);
      if (x!.dtype !== 'float32' || !memoryBoundOnThreads(backend, n)) return useStock(stock, args, name);
      const out = backend.makeOutput(x!.shape, 'float32');
      const px = addrOf(backend, x!), py = addrOf(backend, out);
      simd().reset();
      elementwiseOnThreads(simd(), n, (o, len) => ({ fn: 'clamp', args: [px + o, len, 0, hi, py + o] }));
      return out;
    });
  }

  // LeakyRelu over large tensors where the heap is shared: one SIMD select, on the threads.
  overrideKernel(B, 'LeakyRelu', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const n = util.sizeFromShape(x!.shape);
    if (x!.dtype !== 'float32' || !memoryBoundOnThreads(backend, n)) return useStock(stock, args, 'LeakyRelu');
    const out = backend.makeOutput(x!.shape, 'float32');
    const px = addrOf(backend, x!), py = addrOf(backend, out), alpha = args.attrs!.alpha as number;
    simd().reset();
    elementwiseOnThreads(simd(), n, (o, len) => ({ fn: 'leakyRelu', args: [px + o, len, alpha, py + o] }));
    return out;
  });

  // Tanh (a classic LeNet-5's activation): the stock kernel calls tanhf per value on one thread, 19 ns
  // a value; here Eigen's rational approximation in SIMD (a few ulps; tanhApprox in kernels.as), on
  // the threads for large tensors.
  overrideKernel(B, 'Tanh', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const n = util.sizeFromShape(x!.shape);
    const heap = heapOf(backend);
    if (x!.dtype !== 'float32' || !heap || n < TANH_MIN) return useStock(stock, args, 'Tanh');
    const out = backend.makeOutput(x!.shape, 'float32');
    const px = addrOf(backend, x!), py = addrOf(backend, out);
    if (memoryBoundOnThreads(backend, n)) {
      simd().reset();
      elementwiseOnThreads(simd(), n, (o, len) => ({ fn: 'tanhApprox', args: [px + o, len, py + o] }));
    } else {
      heap.tanhApprox(px, n, py);
    }
    return out;
  });

  // Max pooling of large tensors where the heap is shared: one image per task on the threads.
  overrideKernel(B, 'MaxPool', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const pi = x!.dtype === 'float32' && x!.shape.length === 4 && memoryBoundOnThreads(backend, util.sizeFromShape(x!.shape)) ? poolInfoOf(x!.shape, attrs) : null;
    if (!pi) return useStock(stock, args, 'MaxPool');
    return computeInto(backend, pi.outShape, () => maxPool(pi, view(backend, x!)));
  });

  overrideKernel(B, 'Sum', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    if (x!.dtype !== 'float32') return useStock(stock, args, 'Sum');
    const axes = normalizeAxes(attrs.axis as number | number[], x!.shape.length);
    // Only a reduction over leading axes (a bias gradient) is slow in the stock kernel.
    const blocks = reductionBlocks(x!.shape, axes);
    if (!blocks || blocks.first !== 0) return useStock(stock, args, 'Sum');
    const { rows, cols, outShape } = blocks;
    const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    // Large ones where the heap is shared: per-chunk sums on the threads (cpu's kernel, in place).
    const r = memoryBoundOnThreads(backend, rows * cols) ? simdSumLeading(x!.shape, view(backend, x!), axes) : null;
    if (r) return output(backend, shape, r.values);
    const heap = heapOf(backend);
    if (heap) {
      const out = backend.makeOutput(shape, 'float32');
      withScratch(backend, heap.sumScratch(cols) * 8, (acc) => heap.sumLeading(addrOf(backend, x!), rows, cols, addrOf(backend, out), acc));
      return out;
    }
    const rt = simd();
    rt.reset();
    const px = rt.put(view(backend, x!)), pout = rt.alloc(cols), acc = rt.alloc(rt.exports.sumScratch(cols) * 2);
    rt.exports.sumLeading(px, rows, cols, pout, acc);
    return output(backend, shape, rt.view(pout, cols));
  });

  // A mean over middle axes (global average pooling: [N, H, W, C] over H and W): the stock kernel
  // transposes the whole tensor first; here each leading index's block is summed over its rows in
  // place (float64, as Sum), then divided.
  overrideKernel(B, 'Mean', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const heap = heapOf(backend);
    if (!heap || x!.dtype !== 'float32') return useStock(stock, args, 'Mean');
    const axes = normalizeAxes(attrs.axis as number | number[], x!.shape.length);
    const blocks = reductionBlocks(x!.shape, axes);
    if (!blocks || blocks.rows === 0) return useStock(stock, args, 'Mean');
    const { outer, rows, cols, outShape } = blocks;
    const out = backend.makeOutput(attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, 'float32');
    const px = addrOf(backend, x!), po = addrOf(backend, out);
    withScratch(backend, heap.sumScratch(cols) * 8, (acc) => {
      for (let o = 0; o < outer; o++) heap.sumLeading(px + o * rows * cols * 4, rows, cols, po + o * cols * 4, acc);
    });
    const means = view(backend, out);
    for (let i = 0; i < means.length; i++) means[i] = means[i]! / rows;
    return out;
  });

  // Max and Min over contiguous axes (global max pooling: [N, H, W, C] → [N, C]): the stock kernels
  // transpose the reduced axes innermost first (8.7 ms for a 32x32x64 batch of 32); here one SIMD
  // pass, on the threads for large tensors.
  for (const [name, isMax] of [['Max', 1], ['Min', 0]] as const) {
    overrideKernel(B, name, (args, stock) => {
      const { x } = args.inputs;
      const backend = args.backend as BackendWasm;
      const attrs = args.attrs!;
      const heap = heapOf(backend);
      const n = util.sizeFromShape(x!.shape);
      if (!heap || x!.dtype !== 'float32' || n < 65536) return useStock(stock, args, name);
      const axes = normalizeAxes((attrs.reductionIndices ?? attrs.axis) as number | number[], x!.shape.length);
      const blocks = reductionBlocks(x!.shape, axes);
      if (!blocks || blocks.rows === 0) return useStock(stock, args, name);
      const { outer, rows, cols, outShape } = blocks;
      const out = backend.makeOutput(attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, 'float32');
      runOverItems(backend, 'extremum', [addrOf(backend, x!), rows, cols, addrOf(backend, out), isMax], outer, n);
      return out;
    });
  }

  // Tensors are immutable in TF.js, so an identity can share the data (as the cpu backend does).
  const share = (backend: BackendWasm, x: TensorInfo): TensorInfo => {
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  overrideKernel(B, 'Identity', (args, stock) => {
    const { x } = args.inputs;
    return x!.dtype === 'string' ? useStock(stock, args, 'Identity') : share(args.backend as BackendWasm, x!);
  });
  overrideKernel(B, 'Cast', (args, stock) => {
    const { x } = args.inputs;
    return x!.dtype === args.attrs!.dtype && x!.dtype !== 'string' ? share(args.backend as BackendWasm, x!) : useStock(stock, args, 'Cast');
  });

  // Batch norm at inference (MobileNet's 33 per image): the stock kernel indexes every parameter
  // per element; here per-channel constants and one SIMD pass over the heap.
  overrideKernel(B, 'FusedBatchNorm', (args, stock) => {
    const { x, mean, variance, offset, scale } = args.inputs;
    const backend = args.backend as BackendWasm;
    const heap = heapOf(backend);
    const ts = [x, mean, variance, offset, scale].filter((t): t is TensorInfo => !!t);
    if (!heap || ts.some((t) => t.dtype !== 'float32') || x!.shape.length === 0) return useStock(stock, args, 'FusedBatchNorm');
    const C = x!.shape[x!.shape.length - 1]!;
    const k = batchNormConstants(C, view(backend, mean!), view(backend, variance!), offset ? view(backend, offset) : null, scale ? view(backend, scale) : null,
      (args.attrs!.varianceEpsilon as number | undefined) ?? 0.001);
    if (!k) return useStock(stock, args, 'FusedBatchNorm');
    const out = backend.makeOutput(x!.shape, 'float32');
    const rows = util.sizeFromShape(x!.shape) / C;
    withScratch(backend, C * 12, (p) => {
      const heapF32 = new Float32Array(wasmBuffer(backend), p, 3 * C);
      heapF32.set(k.mean, 0);
      heapF32.set(k.scale, C);
      heapF32.set(k.shift, 2 * C);
      const px = addrOf(backend, x!), po = addrOf(backend, out);
      if (memoryBoundOnThreads(backend, rows * C)) {
        simd().reset();
        parallelRange(simd(), rows, Math.ceil(65536 / C), (r0, r1) => ({ fn: 'scaleShift', args: [px + r0 * C * 4, r1 - r0, C, p, p + C * 4, p + C * 8, po + r0 * C * 4] }));
      } else {
        heap.scaleShift(px, rows, C, p, p + C * 4, p + C * 8, po);
      }
    });
    return out;
  });

  // The phase split and merge of dilated convolutions' training (space-to-batch.ts): rows of pixels
  // copied as vectors, in place, on the threads where large.
  const phases = (name: 'SpaceToBatchND' | 'BatchToSpaceND', mode: 0 | 1): void => overrideKernel(B, name, (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const { blockShape } = args.attrs as unknown as { blockShape: number[] };
    const edges = (mode === 0 ? args.attrs!.paddings : args.attrs!.crops) as number[][];
    const g = x!.dtype === 'float32' && heapOf(backend) ? phaseGeometry(x!.shape, blockShape, edges) : null;
    if (!g) return useStock(stock, args, name);
    const job = phaseJob(g, edges, mode);
    const out = backend.makeOutput(job.shape, 'float32');
    const fnArgs = mode === 0 ? job.args(addrOf(backend, x!), addrOf(backend, out)) : job.args(addrOf(backend, out), addrOf(backend, x!));
    runOverItems(backend, 'spaceToBatch2d', fnArgs, job.rows, util.sizeFromShape(job.shape));
    return out;
  });
  phases('SpaceToBatchND', 0);
  phases('BatchToSpaceND', 1);

  // A batch-norm gradient tiles a channel row over the whole batch (MobileNet training: 38 ms a call
  // in the stock kernel); here a memmove-speed repeat straight into the output.
  overrideKernel(B, 'Tile', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const reps = args.attrs!.reps as number[];
    const blocks = x!.dtype === 'float32' ? tileBlocks(x!.shape, reps) : null;
    if (blocks === null) return useStock(stock, args, 'Tile');
    const out = backend.makeOutput(x!.shape.map((d, i) => d * reps[i]!), 'float32');
    tileInto(view(backend, out), view(backend, x!), blocks);
    return out;
  });

  // Zero padding of images (ZeroPadding2D before MobileNet's strided depthwise convolutions).
  overrideKernel(B, 'PadV2', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const paddings = args.attrs!.paddings as [number, number][];
    const heap = heapOf(backend);
    if (!heap || x!.dtype !== 'float32' || !isSpatialPad(x!.shape, paddings)) return useStock(stock, args, 'PadV2');
    const [N, H, W, C] = x!.shape as [number, number, number, number];
    const [[pt, pb], [pl, pr]] = [paddings[1]!, paddings[2]!];
    const out = backend.makeOutput([N, H + pt + pb, W + pl + pr, C], 'float32');
    const px = addrOf(backend, x!), po = addrOf(backend, out), value = args.attrs!.constantValue as number;
    if (memoryBoundOnThreads(backend, util.sizeFromShape(out.shape))) {
      // Images are padded independently: a range of them per task.
      const inImage = H * W * C * 4, outImage = (H + pt + pb) * (W + pl + pr) * C * 4;
      simd().reset();
      parallelRange(simd(), N, 1, (n0, n1) => ({ fn: 'pad2d', args: [px + n0 * inImage, n1 - n0, H, W, C, pt, pb, pl, pr, value, po + n0 * outImage] }));
    } else {
      heap.pad2d(px, N, H, W, C, pt, pb, pl, pr, value, po);
    }
    return out;
  });

  // Depthwise convolutions: the stock kernel (XNNPACK) returns zeros for some shapes (a 1x3 filter,
  // stride 2, 'same' padding), and the wasm backend has no gradients (MobileNet could not fine-tune).
  overrideKernel(B, 'DepthwiseConv2dNative', (args, stock) => {
    const { x, filter } = args.inputs;
    const backend = args.backend as BackendWasm;
    const ci = x!.dtype === 'float32' && filter!.dtype === 'float32' ? depthwiseInfo(x!.shape, filter!.shape, args.attrs!) : null;
    if (!ci) return useStock(stock, args, 'DepthwiseConv2dNative');
    return depthwiseOnHeap(backend, ci, 'forward', x!, filter!, null, 'linear') ?? computeInto(backend, ci.outShape, () => depthwiseForward(ci, view(backend, x!), view(backend, filter!), null, 'linear'));
  });

  overrideKernel(B, 'FusedDepthwiseConv2D', (args, stock) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const act = attrs.activation as string;
    const ok = x!.dtype === 'float32' && filter!.dtype === 'float32' && (!bias || bias.dtype === 'float32') && !preluActivationWeights && FUSED_ACTS.has(act);
    const ci = x!.dtype === 'float32' && filter!.dtype === 'float32' ? depthwiseInfo(x!.shape, filter!.shape, attrs) : null;
    if (!ok || !ci || (bias && util.sizeFromShape(bias.shape) !== ci.outChannels)) return stockWithPaddingSpelledOut(stock, args, 'FusedDepthwiseConv2D', ci);
    return depthwiseOnHeap(backend, ci, 'forward', x!, filter!, bias ?? null, act as FusedAct) ??
      computeInto(backend, ci.outShape, () => depthwiseForward(ci, view(backend, x!), view(backend, filter!), bias ? view(backend, bias) : null, act as FusedAct));
  });

  overrideKernel(B, 'DepthwiseConv2dNativeBackpropInput', (args, stock) => {
    const { dy, filter } = args.inputs;
    const backend = args.backend as BackendWasm;
    const ci = dy!.dtype === 'float32' && filter!.dtype === 'float32' ? depthwiseInfo(args.attrs!.inputShape as number[], filter!.shape, args.attrs!) : null;
    if (!ci) return useStock(stock, args, 'DepthwiseConv2dNativeBackpropInput');
    return depthwiseOnHeap(backend, ci, 'input', dy!, filter!, null, 'linear') ?? computeInto(backend, ci.inShape, () => depthwiseBackpropInput(ci, view(backend, dy!), view(backend, filter!)));
  });

  overrideKernel(B, 'DepthwiseConv2dNativeBackpropFilter', (args, stock) => {
    const { x, dy } = args.inputs;
    const backend = args.backend as BackendWasm;
    const ci = x!.dtype === 'float32' && dy!.dtype === 'float32' ? depthwiseInfo(x!.shape, args.attrs!.filterShape as number[], args.attrs!) : null;
    if (!ci) return useStock(stock, args, 'DepthwiseConv2dNativeBackpropFilter');
    return depthwiseOnHeap(backend, ci, 'filter', x!, dy!, null, 'linear') ?? computeInto(backend, args.attrs!.filterShape as number[], () => depthwiseBackpropFilter(ci, view(backend, x!), view(backend, dy!)));
  });
}

const ACT: Record<FusedAct, number> = { linear: 0, relu: 1, relu6: 2 };
/** From this many values the SIMD tanh: smaller tensors (a single image's dense layer) keep the stock kernel. */
const TANH_MIN = 1024;
/** binaryEq's op codes. */
const BINARY_CODE: Record<'add' | 'sub' | 'mul' | 'div', number> = { add: 0, sub: 1, mul: 2, div: 3 };

/**
 * A depthwise convolution (forward: a = x, b = filter; input gradient: a = dy, b = filter; filter
 * gradient: a = x, b = dy) run single-threaded in place on a heap that is not the kernels' shared
 * memory (copying MobileNet's activations to the threads and back took longer than the second thread
 * saved), or null: then the threaded kernels run, in place where the heap is shared (9% faster
 * MobileNetV2 inference than this single-threaded path, measured in-process).
 */
function depthwiseOnHeap(backend: BackendWasm, ci: backend_util.Conv2DInfo, which: 'forward' | 'input' | 'filter', a: TensorInfo, b: TensorInfo, bias: TensorInfo | null, act: FusedAct): TensorInfo | null {
  const heap = heapOf(backend);
  if (!heap || sharesKernelMemory(backend)) return null;
  const shape = which === 'forward' ? ci.outShape : which === 'input' ? ci.inShape : [ci.filterHeight, ci.filterWidth, ci.inChannels, ci.outChannels / ci.inChannels];
  const out = backend.makeOutput(shape, 'float32');
  const accFloats = which === 'filter' ? util.sizeFromShape(shape) : 0;
  withScratch(backend, 64 + depthwiseWorkBytes(ci), (p) => {
    new Int32Array(wasmBuffer(backend), p, 15).set(depthwiseGeometry(ci));
    const work = p + 64, pa = addrOf(backend, a), pb = addrOf(backend, b), po = addrOf(backend, out);
    if (which === 'forward') heap.depthwiseForward(pa, pb, bias ? addrOf(backend, bias) : 0, po, p, ACT[act], 0, ci.batchSize, work);
    else if (which === 'input') heap.depthwiseBackpropInput(pa, pb, po, p, 0, ci.batchSize, work);
    else {
      // The kernel adds into its accumulator: start from zero, straight in the output.
      new Float32Array(wasmBuffer(backend), po, accFloats).fill(0);
      heap.depthwiseBackpropFilter(pa, pb, p, 0, ci.batchSize, po, work);
    }
  });
  return out;
}

function wasmBuffer(backend: BackendWasm): ArrayBuffer {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer as ArrayBuffer;
}
