// Kernels the `wasm` backend lacks for training (Conv2DBackpropFilter: without it no convolution can
// learn), and replacements for its slow training kernels (its Conv2DBackpropInput, MaxPoolGrad and
// transposed BatchMatMul are naive loops; XNNPACK only covers the forward pass). They read inputs as views of the wasm backend's heap and write into an output it allocates,
// computing on Glasswing's own SIMD GEMM (a separate WebAssembly memory, shared with its threads).
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { overrideKernel, useStock } from './registry';
import { conv2dBackpropFilter, conv2dBackpropInput } from './conv';
import { maxPoolGrad } from './pool';
import { batchMatMul } from './matmul';

const B = 'wasm';

function view(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function output(backend: BackendWasm, shape: number[], values: Float32Array): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).set(values);
  return out;
}

function convInfo(xShape: number[], filterShape: number[], attrs: NamedAttrMap): backend_util.Conv2DInfo | null {
  const fmt = backend_util.convertConv2DDataFormat(attrs.dataFormat as 'NHWC' | 'NCHW');
  if (fmt !== 'channelsLast') return null;
  return backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides as [number, number], 1, attrs.pad as 'same', attrs.dimRoundingMode as 'round', false, fmt);
}

export function registerWasmKernels(): void {
  overrideKernel(B, 'Conv2DBackpropFilter', (args, stock) => {
    const { x, dy } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const ci = x!.dtype === 'float32' && dy!.dtype === 'float32' ? convInfo(x!.shape, attrs.filterShape as number[], attrs) : null;
    if (!ci) return useStock(stock, args, 'Conv2DBackpropFilter');
    return output(backend, attrs.filterShape as number[], conv2dBackpropFilter(ci, view(backend, x!), view(backend, dy!)));
  });

  overrideKernel(B, 'Conv2DBackpropInput', (args, stock) => {
    const { dy, filter } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const ci = dy!.dtype === 'float32' && filter!.dtype === 'float32' ? convInfo(attrs.inputShape as number[], filter!.shape, attrs) : null;
    if (!ci) return useStock(stock, args, 'Conv2DBackpropInput');
    return output(backend, ci.inShape, conv2dBackpropInput(ci, view(backend, dy!), view(backend, filter!)));
  });

  overrideKernel(B, 'MaxPoolGrad', (args, stock) => {
    const { dy, input } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    if (dy!.dtype !== 'float32' || input!.dtype !== 'float32') return useStock(stock, args, 'MaxPoolGrad');
    const pi = backend_util.computePool2DInfo(input!.shape as [number, number, number, number], attrs.filterSize as [number, number],
      attrs.strides as [number, number], 1, attrs.pad as 'same', attrs.dimRoundingMode as 'round');
    // Straight into the output's heap buffer: no 1 MB temporary and copy per call.
    const out = backend.makeOutput(input!.shape, 'float32');
    maxPoolGrad(pi, view(backend, dy!), view(backend, input!), backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  });

  overrideKernel(B, 'BatchMatMul', (args, stock) => {
    const { a, b } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    const r = a!.dtype === 'float32' && b!.dtype === 'float32'
      ? batchMatMul(a!.shape, view(backend, a!), b!.shape, view(backend, b!), !!attrs.transposeA, !!attrs.transposeB) : null;
    if (!r) return useStock(stock, args, 'BatchMatMul');
    return output(backend, r.shape, r.values);
  });
}
