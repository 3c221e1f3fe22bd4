// TF.js's WebGPU backend in Node, through Dawn (the WebGPU implementation inside Chromium), for the
// bench: it times the same WGSL kernels the app's compute worker runs in the page, on a machine with
// a GPU but no browser or display — a GPU server, a CI runner with a GPU. Training in the app still
// goes through the page's worker; this only measures.
//
// Dawn for Node is the `webgpu` npm package, which Glasswing does not install (its prebuilt binaries
// for every platform weigh 50 MB): `npm install --no-save webgpu`, or GLASSWING_DAWN=/path/to/its
// index.js (or to a dawn.node built elsewhere).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu'; // registers its kernels; the backend itself is registered below
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { createRequire } from 'node:module';
import { registerWebGpuKernels } from '../../compute/webgpu-kernels';

export type DawnWebGpu = { ok: true; device: string } | { ok: false; reason: string };

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

let loaded: Promise<DawnWebGpu> | null = null;

async function importDawn(spec: string): Promise<DawnModule> {
  // A native addon loads through require; the package's ESM entry through import().
  if (spec.endsWith('.node')) return createRequire(__filename)(spec) as DawnModule;
  return (await import(spec)) as DawnModule;
}

async function load(): Promise<DawnWebGpu> {
  const spec = process.env['GLASSWING_DAWN'] || 'webgpu';
  let dawn: DawnModule;
  try {
    dawn = await importDawn(spec);
  } catch (e) {
    return { ok: false, reason: `Dawn for Node is not installed (npm install --no-save webgpu, or GLASSWING_DAWN=path): ${(e as Error).message.split('\n')[0]}` };
  }
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, … as in a page
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { ok: false, reason: 'Dawn found no WebGPU adapter (it needs a Vulkan, Metal or Direct3D 12 driver for the GPU)' };
  // What tfjs-backend-webgpu asks of a page's adapter: the adapter's own limits, timestamps if offered.
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  // The backend checks navigator.gpu, which Node (before 21) does not define.
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: GPU };
  Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  // `info` in current Dawn; older WebGPU versions (and these type definitions) have requestAdapterInfo().
  const withInfo = adapter as GPUAdapter & { info?: GPUAdapterInfo };
  const info = withInfo.info ?? (await adapter.requestAdapterInfo());
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, info), 0);
  registerWebGpuKernels(); // as the page's compute worker does
  const name = [info.vendor, info.architecture, info.description || info.device].filter(Boolean).join(' ');
  return { ok: true, device: `GPU (WebGPU through Dawn: ${name || 'unnamed adapter'})` };
}

/** Registers TF.js's `webgpu` backend on Dawn's first high-performance adapter, once; says why not when it cannot. */
export function loadDawnWebGpu(): Promise<DawnWebGpu> {
  loaded ??= load().catch((e: unknown) => ({ ok: false as const, reason: `Dawn failed: ${(e as Error).message}` }));
  return loaded;
}
