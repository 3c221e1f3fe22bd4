// Runs an ONNX file in ONNX Runtime (the onnxruntime-web package, WebAssembly, works offline in
// Node). Loaded at run time, so builds that leave it out still export; the check then says so.
import { createRequire } from 'node:module';

const requireOptional = createRequire(__filename);

interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  env: { wasm: { numThreads?: number }; logLevel?: string };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(data: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
}

let ort: Ort | null | undefined;

export function loadOnnxRuntime(): Ort | null {
  if (ort !== undefined) return ort;
  try {
    ort = requireOptional('onnxruntime-web') as Ort;
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
  } catch {
    ort = null;
  }
  return ort;
}

/** Runs `x` (count × product(inputShape), NHWC as TF.js) through the ONNX model; returns the first output. */
export async function runOnnx(bytes: Uint8Array, x: Float32Array, count: number, inputShape: number[]): Promise<{ values: Float32Array; dims: number[] }> {
  const rt = loadOnnxRuntime();
  if (!rt) throw new Error('onnxruntime-web is not installed');
  const session = await rt.InferenceSession.create(bytes);
  try {
    const feeds = { [session.inputNames[0]!]: new rt.Tensor('float32', x, [count, ...inputShape]) };
    const out = await session.run(feeds);
    const first = out[session.outputNames[0]!]!;
    return { values: Float32Array.from(first.data), dims: [...first.dims] };
  } finally {
    await session.release();
  }
}
