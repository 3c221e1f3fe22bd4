// Backend selection for the engine. `cpu` and `wasm` ship with Glasswing and always load;
// `tensorflow` (the optional @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node native addon) is
// loaded only when installed, and only in a process of its own (the addon cannot run in worker
// threads, and must never take down the UI process). `auto` picks the fastest that works.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerChainedOps } from '../compute/chained-ops';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { BackendName, BackendStatus } from '../common/ipc/contract';
import { registerFastKernels } from './kernels';
import { probeFastestBackend } from './kernels/auto-probe';
import { findCudaLibraries, probeNativeTensorflow, type NativeProbe } from './native-tensorflow';

// Optional native packages are required at run time so that bundlers leave them out.
const requireOptional = createRequire(__filename);

// Silences TF.js's "install the node backend" banner and its debug-only checks.
tf.env().set('PROD', true);
// tfjs-layers calls chained ops (x.flatten(), …), e.g. in the Orthogonal initialiser of an LSTM.
registerChainedOps();
// Glasswing's kernel pack: fast training kernels for cpu, and the ones wasm lacks for training.
registerFastKernels();

export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export interface ActiveBackend {
  name: ConcreteBackend;
  /** What is computing, e.g. "CPU (2 cores, JavaScript)" or "NVIDIA GPU (CUDA)". */
  device: string;
  /** Why `auto` chose it (empty when asked for by name). */
  reason: string;
}

export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

let tensorflowProbe: NativeProbe | null = null;

/** Tries to load the optional native addon (GPU build first), once. Never throws. */
function loadTensorflowAddon(): NativeProbe {
  tensorflowProbe ??= probeNativeTensorflow({
    require: (id) => requireOptional(id),
    platform: process.platform,
    arch: process.arch,
    registered: () => tf.findBackend('tensorflow') != null,
    libraries: () => findCudaLibraries(),
  });
  return tensorflowProbe;
}

export function listBackends(): BackendStatus[] {
  const cores = cpuCount();
  const tfAddon = loadTensorflowAddon();
  return [
    { name: 'cpu', available: true, device: `CPU (${cores} core${cores === 1 ? '' : 's'}, JavaScript)` },
    { name: 'wasm', available: true, device: 'CPU (WebAssembly)' },
    tfAddon.ok
      ? { name: 'tensorflow', available: true, device: tfAddon.gpu ? 'GPU (CUDA, libtensorflow)' : 'CPU (libtensorflow)' }
      : { name: 'tensorflow', available: false, reason: tfAddon.reason },
  ];
}

function cpuCount(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** Makes `name` the active TF.js backend and reports what is computing. */
export async function useBackend(name: BackendName): Promise<ActiveBackend> {
  let chosen: ConcreteBackend;
  let reason = '';
  if (name === 'auto') {
    if (loadTensorflowAddon().ok) {
      chosen = 'tensorflow';
      reason = 'the TensorFlow native backend is installed';
    } else {
      // A short timed LeNet-5 step on each, cached per machine (~/.cache/glasswing).
      try {
        const probe = await probeFastestBackend(['cpu', 'wasm']);
        chosen = probe.backend as ConcreteBackend;
        reason = probe.reason;
      } catch (e) {
        chosen = 'cpu';
        reason = `the speed probe failed (${(e as Error).message}); cpu trains every layer type`;
      }
    }
  } else {
    chosen = name;
  }
  if (chosen === 'tensorflow') {
    const probe = loadTensorflowAddon();
    if (!probe.ok) throw new BackendError(`The tensorflow backend is not available: ${probe.reason}.`);
  }
  const ok = await tf.setBackend(chosen);
  if (!ok) throw new BackendError(`The ${chosen} backend failed to initialise.`);
  await tf.ready();
  const status = listBackends().find((b) => b.name === chosen);
  return { name: chosen, device: status?.device ?? chosen, reason };
}

export { tf };
