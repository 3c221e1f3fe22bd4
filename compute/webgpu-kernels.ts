// Glasswing's replacements for the webgpu backend's slowest training paths, registered wherever
// that backend runs (the page's compute worker; Dawn for Node in the bench). Measured on an NVIDIA
// H200 through Dawn: see webgpu-adam.ts and webgpu-conv-filter-grad.ts.
import { registerWebGpuAdam } from './webgpu-adam';
import { registerWebGpuFilterGradient } from './webgpu-conv-filter-grad';

/** Call after '@tensorflow/tfjs-backend-webgpu' is imported (its kernels must be registered first). */
export function registerWebGpuKernels(): void {
  registerWebGpuAdam();
  registerWebGpuFilterGradient();
}
