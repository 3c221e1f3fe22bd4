// Swaps TF.js kernels for fast ones and back. The stock kernel stays reachable as a fallback for
// inputs a fast kernel does not handle (other dtypes, NCHW, exotic broadcasts, rare activations).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

export type FastKernel = (args: Parameters<KernelFunc>[0], stock: KernelFunc | null) => TensorInfo | TensorInfo[];

const stockKernels = new Map<string, KernelConfig | null>();

const key = (backend: string, name: string): string => `${backend}/${name}`;

/** Registers `impl` for (backend, name), keeping the stock kernel (if any) for fallbacks and restore. */
export function overrideKernel(backend: string, name: string, impl: FastKernel): void {
  const k = key(backend, name);
  if (stockKernels.has(k)) return; // already overridden: registration is idempotent
  const stock = tf.getKernel(name, backend) ?? null;
  stockKernels.set(k, stock);
  if (stock) tf.unregisterKernel(name, backend);
  const stockFunc = stock ? stock.kernelFunc : null;
  tf.registerKernel({
    kernelName: name,
    backendName: backend,
    kernelFunc: (args) => impl(args, stockFunc),
    setupFunc: stock?.setupFunc,
    disposeFunc: stock?.disposeFunc,
  });
}

/** Puts every stock kernel back (kernels that had none are unregistered). */
export function restoreStockKernels(backend?: string): void {
  for (const [k, stock] of [...stockKernels]) {
    const [b, name] = [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)];
    if (backend && b !== backend) continue;
    tf.unregisterKernel(name, b);
    if (stock) tf.registerKernel(stock);
    stockKernels.delete(k);
  }
}

/** Calls the stock kernel, or explains that there is none for what the fast one declined. */
export function useStock(stock: KernelFunc | null, args: Parameters<KernelFunc>[0], name: string): TensorInfo | TensorInfo[] {
  if (!stock) throw new Error(`${name}: these inputs are not supported by Glasswing's kernel and no stock kernel exists`);
  return stock(args);
}
