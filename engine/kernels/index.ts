// Glasswing's fast kernel pack: call registerFastKernels() once after importing the TF.js backends
// (it is idempotent). It replaces the cpu backend's hot training kernels and adds to the wasm backend
// the kernels it lacks for training.
import { registerCpuKernels } from './cpu-kernels';
import { registerWasmKernels } from './wasm-kernels';
import { restoreStockKernels } from './registry';
import { simd } from './simd/runtime';
import { registerFusedOptimizers, setFusedOptimizers } from './optimizers';
import { registerFusedGradients, unregisterFusedGradients } from './gradients';
import { patchRelu6Layer } from './layers';
import { patchConv2DLayer } from './conv-layer';
import { patchBatchNormLayer } from './batch-norm-layer';
import { patchDropoutLayer } from './dropout-layer';
import { patchLstmLayer } from './lstm-layer';
import { installDilatedConvTraining } from '../../compute/dilated-conv';

let registered = false;

export function registerFastKernels(): void {
  // Before the fast layer paths, which hand dilated layers on to it (see dilated-conv.ts).
  installDilatedConvTraining();
  registerFusedGradients();
  if (registered) return;
  registerCpuKernels();
  registerWasmKernels();
  registerFusedOptimizers();
  setFusedOptimizers(true);
  patchRelu6Layer(true);
  patchConv2DLayer(true);
  patchBatchNormLayer(true);
  patchDropoutLayer(true);
  patchLstmLayer(true);
  registered = true;
}

/** Puts the stock TF.js kernels back (for comparisons and tests). */
export function unregisterFastKernels(): void {
  restoreStockKernels();
  setFusedOptimizers(false);
  unregisterFusedGradients();
  patchRelu6Layer(false);
  patchConv2DLayer(false);
  patchBatchNormLayer(false);
  patchDropoutLayer(false);
  patchLstmLayer(false);
  registered = false;
}

/** How many threads the fast kernels split work over (default: one per core). */
export function setKernelThreads(n: number): void {
  simd().setThreads(n);
}

export function kernelThreads(): number {
  return simd().threads;
}
