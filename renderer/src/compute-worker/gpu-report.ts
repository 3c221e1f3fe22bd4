// What this worker can compute on: the WebGPU adapter (vendor, architecture, limits) and whether
// TF.js's webgpu and webgl backends start here, each with the reason when not and the notes a
// person needs (software rendering, float16 fallbacks, buffer limits).
import * as tf from '@tensorflow/tfjs-core';
import type { ComputeReport, GpuAdapterInfo, GpuBackendReport } from '../../../compute/protocol';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
}

async function adapterInfo(): Promise<{ adapter: GpuAdapterInfo | null; reason?: string }> {
  const gpu = (navigator as { gpu?: { requestAdapter(o?: unknown): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) {
    return {
      adapter: null,
      reason:
        'this browser has no WebGPU (navigator.gpu is missing in workers): use the desktop app, or Chrome or Edge 113+; Chromium on Linux needs --enable-unsafe-webgpu',
    };
  }
  let a: AdapterLike | null = null;
  try {
    a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { adapter: null, reason: `the browser refused a WebGPU adapter (${(e as Error).message})` };
  }
  if (!a) return { adapter: null, reason: 'no WebGPU adapter: the GPU or its driver is not supported by this browser, or it is on the browser’s blocklist (see chrome://gpu)' };
  const info = a.info ?? {};
  const limits: Record<string, number> = {};
  for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension']) {
    const v = a.limits[k];
    if (typeof v === 'number') limits[k] = v;
  }
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  return {
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      software: !!(info.isFallbackAdapter ?? a.isFallbackAdapter) || SOFTWARE.test(text),
      limits,
    },
  };
}

function adapterName(a: GpuAdapterInfo): string {
  const name = [a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' ').trim() || 'unnamed adapter';
  return a.software ? `${name} (software)` : name;
}

async function tryBackend(name: 'webgpu' | 'webgl'): Promise<string | null> {
  try {
    if (!(await tf.setBackend(name))) return `TF.js's ${name} backend did not start here`;
    await tf.ready();
    // One real kernel: a context that starts but cannot compute is not available.
    const t = tf.add(tf.scalar(1), tf.scalar(2));
    const v = (await t.data())[0];
    t.dispose();
    return v === 3 ? null : `${name} computed 1 + 2 = ${v}`;
  } catch (e) {
    return `${name} failed to start: ${(e as Error).message}`;
  }
}

async function webgpuReport(): Promise<{ adapter: GpuAdapterInfo | null; report: GpuBackendReport }> {
  const { adapter, reason } = await adapterInfo();
  if (!adapter) return { adapter, report: { name: 'webgpu', available: false, reason: reason!, notes: [], maxBufferBytes: 0 } };
  const failed = await tryBackend('webgpu');
  const maxBufferBytes = Math.min(adapter.limits['maxBufferSize'] ?? Infinity, adapter.limits['maxStorageBufferBindingSize'] ?? Infinity);
  const notes: string[] = [];
  if (adapter.software) notes.push('This adapter renders in software on the CPU: correct, but slower than the wasm backend; auto does not choose it.');
  return {
    adapter,
    report: {
      name: 'webgpu',
      available: !failed,
      ...(failed ? { reason: failed } : {}),
      device: `${adapterName(adapter)} · WebGPU`,
      software: adapter.software,
      notes,
      maxBufferBytes: Number.isFinite(maxBufferBytes) ? maxBufferBytes : 0,
    },
  };
}

async function webglReport(): Promise<GpuBackendReport> {
  const failed = await tryBackend('webgl');
  if (failed) {
    return {
      name: 'webgl',
      available: false,
      reason: `WebGL 2 is not available to this worker (${failed}): hardware acceleration may be off, or the GPU is blocklisted (see chrome://gpu)`,
      notes: [],
      maxBufferBytes: 0,
    };
  }
  const env = tf.env();
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  const debug = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl ? String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'WebGL';
  const software = SOFTWARE.test(renderer);
  const notes: string[] = [];
  if (!env.getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) {
    notes.push('This GPU cannot render to float32 textures: WebGL falls back to float16, so losses differ slightly from the CPU and very small gradients can vanish. Prefer webgpu or wasm for exact results.');
  }
  if (env.getNumber('WEBGL_VERSION') < 2) notes.push('Only WebGL 1 is available: some layers are slower.');
  if (software) notes.push('This renderer runs in software on the CPU: correct, but slower than the wasm backend; auto does not choose it.');
  const maxTexture = env.getNumber('WEBGL_MAX_TEXTURE_SIZE');
  // A tensor is packed into one RGBA float texture: at most maxTexture² × 4 values.
  return {
    name: 'webgl',
    available: true,
    device: `${renderer.replace(/^ANGLE \((.*)\)$/, '$1')} · WebGL ${env.getNumber('WEBGL_VERSION')}`,
    software,
    notes,
    maxBufferBytes: maxTexture > 0 ? maxTexture * maxTexture * 16 : 0,
  };
}

export async function gpuReport(): Promise<ComputeReport> {
  const { adapter, report: webgpu } = await webgpuReport();
  const webgl = await webglReport();
  return { adapter, backends: [webgpu, webgl], agent: navigator.userAgent };
}
