// A model Glasswing could not convert, still usable read-only: ONNX Runtime (onnxruntime-web's
// WebAssembly build, as engine/export checks its exports) runs the original file. It predicts and
// returns intermediate values by name (enough for gradient-free methods such as Score-CAM and
// Eigen-CAM); it cannot be trained, exported or differentiated.
import { loadOnnxRuntime } from '../export/onnx-runtime';
import type { OnnxGraph } from './onnx-reader';
import { withExtraOutputs } from './onnx-reader';
import { ModelImportError } from './errors';

export interface ReadOnlyValue {
  /** Batch first; image tensors (4-D) channels-last, as Glasswing's own models store them. */
  dims: number[];
  data: Float32Array;
}

type Session = Awaited<ReturnType<NonNullable<ReturnType<typeof loadOnnxRuntime>>['InferenceSession']['create']>>;

/** NHWC → NCHW for one batch. */
export function nhwcToNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let z = 0; z < w; z++) for (let ch = 0; ch < c; ch++) out[((i * c + ch) * h + y) * w + z] = x[((i * h + y) * w + z) * c + ch]!;
  return out;
}

/** NCHW → NHWC for one batch. */
export function nchwToNhwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let z = 0; z < w; z++) out[((i * h + y) * w + z) * c + ch] = x[((i * c + ch) * h + y) * w + z]!;
  return out;
}

export class ReadOnlyModel {
  readonly runtime = 'onnxruntime-web';
  private readonly sessions = new Map<string, Promise<Session>>();

  private constructor(
    private readonly bytes: Uint8Array,
    private readonly graph: OnnxGraph,
    /** Without the batch, as the file has it (NCHW for images). */
    readonly onnxInputShape: number[],
    /** The examples' batch size when the file fixes it (a model exported without dynamic_axes). */
    private readonly fixedBatch: number | null,
    /** The file takes images channels-last (onnxInputShape is then [H, W, C]). */
    private readonly channelsLast: boolean,
  ) {}

  /** Opens `bytes` (already read by readOnnx) in ONNX Runtime. */
  static async open(bytes: Uint8Array, graph: OnnxGraph, file: string, onnxInputShape: number[], channelsLast = false): Promise<ReadOnlyModel> {
    if (!loadOnnxRuntime()) throw new ModelImportError(`${file} cannot be opened read-only: onnxruntime-web is not installed.`);
    const batch = graph.inputs[0]?.shape?.[0];
    const model = new ReadOnlyModel(bytes, graph, onnxInputShape, typeof batch === 'number' && batch > 0 ? batch : null, channelsLast);
    await model.session([]); // fails now, not at the first prediction, if ONNX Runtime cannot run it
    return model;
  }

  /** Glasswing's input shape without the batch: [height, width, channels] for images. */
  get inputShape(): number[] {
    const s = this.onnxInputShape;
    return s.length === 3 && !this.channelsLast ? [s[1]!, s[2]!, s[0]!] : s;
  }

  get outputNames(): string[] {
    return this.graph.outputs.map((o) => o.name);
  }

  /** Values that can be asked for by name: every node's outputs, with the node that makes them. */
  values(): { name: string; node: string; opType: string }[] {
    return this.graph.nodes.flatMap((n) => n.outputs.filter(Boolean).map((name) => ({ name, node: n.name, opType: n.opType })));
  }

  private session(extra: string[]): Promise<Session> {
    const key = [...extra].sort().join('\n');
    let s = this.sessions.get(key);
    if (!s) {
      const ort = loadOnnxRuntime()!;
      s = ort.InferenceSession.create(extra.length ? withExtraOutputs(this.bytes, extra) : this.bytes);
      this.sessions.set(key, s);
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  /**
   * Runs `count` examples (x: count × product(inputShape), channels-last for images) and returns
   * the graph outputs and the `names` asked for.
   */
  async run(x: Float32Array, count: number, names: string[] = []): Promise<Record<string, ReadOnlyValue>> {
    const size = this.onnxInputShape.reduce((a, b) => a * b, 1);
    if (x.length !== size * count) throw new ModelImportError(`The input has ${x.length} values; the model takes ${count} × ${this.inputShape.join('×')} = ${size * count}.`);
    const known = new Set(this.values().map((v) => v.name));
    for (const n of names) if (!known.has(n) && !this.outputNames.includes(n)) throw new ModelImportError(`The model has no value "${n}".`);
    const ort = loadOnnxRuntime()!;
    const session = await this.session(names.filter((n) => !this.outputNames.includes(n)));
    const image = this.onnxInputShape.length === 3 && !this.channelsLast;
    const [c, h, w] = this.onnxInputShape as [number, number, number];
    const nchw = image ? nhwcToNchw(x, count, h, w, c) : x;
    const step = this.fixedBatch ?? count;
    if (count % step !== 0) throw new ModelImportError(`The model takes batches of exactly ${step}; ${count} examples do not divide into them.`);
    const parts: Record<string, { dims: number[]; chunks: Float32Array[] }> = {};
    for (let start = 0; start < count; start += step) {
      const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', nchw.subarray(start * size, (start + step) * size), [step, ...this.onnxInputShape]) };
      const out = await session.run(feeds);
      for (const name of [...this.outputNames, ...names]) {
        const t = out[name];
        if (!t) continue;
        const p = (parts[name] ??= { dims: [...t.dims], chunks: [] });
        p.chunks.push(Float32Array.from(t.data));
      }
    }
    const result: Record<string, ReadOnlyValue> = {};
    for (const [name, p] of Object.entries(parts)) {
      const data = new Float32Array(p.chunks.reduce((s, c2) => s + c2.length, 0));
      let o = 0;
      for (const c2 of p.chunks) {
        data.set(c2, o);
        o += c2.length;
      }
      const dims = [count, ...p.dims.slice(1)];
      result[name] = dims.length === 4 ? { dims: [count, dims[2]!, dims[3]!, dims[1]!], data: nchwToNhwc(data, count, dims[1]!, dims[2]!, dims[3]!) } : { dims, data };
    }
    return result;
  }

  /** The first graph output for `count` examples. */
  async predict(x: Float32Array, count: number): Promise<ReadOnlyValue> {
    return (await this.run(x, count))[this.outputNames[0]!]!;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s.catch(() => null))?.release();
  }
}
