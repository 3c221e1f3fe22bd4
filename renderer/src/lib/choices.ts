// Option lists for the training form, with names a learner recognises.
import type { BackendName, OptimizerName } from '../../../common/ipc/contract';

export const OPTIMIZER_CHOICES: { value: OptimizerName; label: string }[] = [
  { value: 'adam', label: 'Adam' },
  { value: 'sgd', label: 'SGD (momentum 0.9)' },
  { value: 'rmsprop', label: 'RMSprop' },
];

export const BACKEND_CHOICES: { value: BackendName; label: string }[] = [
  { value: 'auto', label: 'Auto (fastest)' },
  { value: 'cpu', label: 'CPU (JavaScript)' },
  { value: 'wasm', label: 'CPU (WebAssembly)' },
  { value: 'tensorflow', label: 'TensorFlow native' },
  { value: 'webgpu', label: 'GPU (WebGPU)' },
  { value: 'webgl', label: 'GPU (WebGL)' },
];

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatRate(perSec: number): string {
  if (!perSec) return '—';
  return perSec >= 1000 ? `${(perSec / 1000).toFixed(1)}k` : perSec.toFixed(0);
}

export const percent = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '—' : `${(v * 100).toFixed(1)}%`);
