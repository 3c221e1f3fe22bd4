// Kernels the `wasm` backend lacks for training (Conv2DBackpropFilter: without it no convolution can
// learn), and replacements for its slow training kernels: its Conv2DBackpropInput, MaxPoolGrad and
// transposed BatchMatMul are naive loops (XNNPACK only covers the forward pass); its broadcasting
// binary ops walk an index per element (a conv layer's bias add cost 1.2 ms); Sum over leading axes
// transposes first; Identity and same-type Cast copy what TF.js treats as immutable anyway. They read
// inputs as views of the wasm backend's heap and write into an output it allocates, computing on
// Glasswing's own SIMD module (a separate WebAssembly memory, shared with its threads).
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { overrideKernel, useStock } from './registry';
import { conv2dBackpropFilter, conv2dBackpropInput } from './conv';
import { maxPoolGrad } from './pool';
import { batchMatMul } from './matmul';
import { binaryInto, handlesBroadcast, normalizeAxes, type BinaryOp } from './elementwise';
import { simd } from './simd/runtime';

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

  const binaries: [string, BinaryOp][] = [['Add', 'add'], ['Sub', 'sub'], ['Multiply', 'mul'], ['RealDiv', 'div']];
  for (const [name, op] of binaries) {
    overrideKernel(B, name, (args, stock) => {
      const { a, b } = args.inputs;
      const backend = args.backend as BackendWasm;
      if (a!.dtype !== 'float32' || b!.dtype !== 'float32') return useStock(stock, args, name);
      const shape = backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
      // Only a row broadcast (bias) is slow in the stock kernel; equal shapes and scalars stay there.
      const na = util.sizeFromShape(a!.shape), nb = util.sizeFromShape(b!.shape);
      if (na === nb || na === 1 || nb === 1 || !handlesBroadcast(a!.shape, b!.shape, shape)) return useStock(stock, args, name);
      const out = backend.makeOutput(shape, 'float32');
      if (op === 'add') {
        // The bias add of every conv and dense layer: SIMD in Glasswing's module, copies included.
        const [full, row] = na > nb ? [a!, b!] : [b!, a!];
        const rt = simd();
        rt.reset();
        const px = rt.put(view(backend, full)), pb = rt.put(view(backend, row));
        const n = Math.max(na, nb), r = Math.min(na, nb);
        rt.exports.biasAct(px, n / r, r, pb, 0);
        view(backend, out).set(rt.view(px, n));
        return out;
      }
      binaryInto(op, view(backend, a!), view(backend, b!), shape, a!.shape, b!.shape, view(backend, out));
      return out;
    });
  }

  overrideKernel(B, 'Sum', (args, stock) => {
    const { x } = args.inputs;
    const backend = args.backend as BackendWasm;
    const attrs = args.attrs!;
    if (x!.dtype !== 'float32') return useStock(stock, args, 'Sum');
    const rank = x!.shape.length;
    const axes = normalizeAxes(attrs.axis as number | number[], rank);
    // Only a reduction over leading axes (a bias gradient) is slow in the stock kernel.
    const leading = axes.length > 0 && axes.length < rank && [...axes].sort((p, q) => p - q).every((v, i) => v === i);
    if (!leading) return useStock(stock, args, 'Sum');
    const outShape = x!.shape.slice(axes.length);
    const cols = util.sizeFromShape(outShape), rows = util.sizeFromShape(x!.shape) / Math.max(cols, 1);
    const rt = simd();
    rt.reset();
    const px = rt.put(view(backend, x!)), pout = rt.alloc(cols), acc = rt.alloc(cols * 2);
    rt.exports.sumLeading(px, rows, cols, pout, acc);
    return output(backend, attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, rt.view(pout, cols));
  });

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
}
