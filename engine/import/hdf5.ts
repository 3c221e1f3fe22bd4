// HDF5, read-only, for Keras weight files. jsfive (pure JavaScript, public domain, from the NIST
// team behind h5wasm) was chosen over h5wasm: it loads synchronously from a buffer under Node's
// CommonJS (h5wasm 0.10 is ESM-only and reads through an Emscripten virtual file system), it is
// small, and it reads what h5py writes for Keras: groups (old and new style), contiguous and
// chunked/gzip datasets, fixed- and variable-length string attributes.
import * as jsfive from 'jsfive';
import { ModelImportError, reason } from './errors';

export interface H5Array {
  shape: number[];
  data: Float32Array;
}

const DATASET_MAX_VALUES = 2 ** 28;
const DATASET_MAX_INFLATION = 50;

export class H5File {
  private constructor(
    private readonly root: jsfive.File,
    readonly file: string,
    /** The file's size: a dataset that declares far more values than it could hold is refused before it is inflated. */
    private readonly bytes: number,
  ) {}

  static open(bytes: Uint8Array, file: string): H5File {
    if (bytes.length < 8 || !(bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46)) {
      throw new ModelImportError(`${file} is not an HDF5 file (a Keras .h5 starts with the HDF5 signature).`);
    }
    try {
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return new H5File(new jsfive.File(buffer, file), file, bytes.length);
    } catch (e) {
      throw new ModelImportError(`${file} is not a readable HDF5 file (it may be truncated): ${reason(e)}.`);
    }
  }

  private node(path: string): jsfive.Group | jsfive.Dataset | null {
    if (path === '' || path === '/') return this.root;
    try {
      return this.root.get(path) ?? null;
    } catch {
      return null;
    }
  }

  has(path: string): boolean {
    return this.node(path) !== null;
  }

  isGroup(path: string): boolean {
    const n = this.node(path);
    return n instanceof jsfive.Group;
  }

  /** Child names of a group ([] for a dataset or a missing path). */
  keys(path: string): string[] {
    const n = this.node(path);
    return n instanceof jsfive.Group ? n.keys : [];
  }

  /** Attributes; strings and arrays of strings come back as JavaScript strings. */
  attrs(path: string): Record<string, unknown> {
    const n = this.node(path);
    if (!n) return {};
    try {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(n.attrs)) out[k] = decodeStrings(v);
      return out;
    } catch (e) {
      throw new ModelImportError(`${this.file}: the attributes of ${path || '/'} cannot be read: ${reason(e)}.`);
    }
  }

  /** A string attribute (JSON configs); null when absent. */
  stringAttr(path: string, name: string): string | null {
    const v = this.attrs(path)[name];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    return null;
  }

  /**
   * A list attribute, also in Keras's chunked form (name0, name1, … when the list is longer than
   * an HDF5 object header holds).
   */
  stringListAttr(path: string, name: string): string[] | null {
    const attrs = this.attrs(path);
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
    if (name in attrs) return list(attrs[name]);
    if (`${name}0` in attrs) {
      const out: string[] = [];
      for (let i = 0; `${name}${i}` in attrs; i++) out.push(...list(attrs[`${name}${i}`]));
      return out;
    }
    return null;
  }

  dataset(path: string): H5Array {
    const n = this.node(path);
    if (!(n instanceof jsfive.Dataset)) throw new ModelImportError(`${this.file} has no dataset ${path}.`);
    const declared = [...n.shape].reduce((a, b) => a * b, 1);
    // gzip-compressed chunks of zeros take a few bytes per megabyte: a small file could declare a
    // dataset that fills the engine's memory. Weights barely compress; anything beyond 50× the file
    // (and past 16 M values), or beyond 2^28 values (1 GiB as float32), is not a model's weights.
    if (!(declared <= DATASET_MAX_VALUES) || (declared > 2 ** 24 && declared > DATASET_MAX_INFLATION * this.bytes)) {
      throw new ModelImportError(`${this.file}: the weights at ${path} declare ${declared.toLocaleString('en-US')} values, more than a ${(this.bytes / 2 ** 20).toFixed(1)} MB file can hold; it is damaged or not a model.`);
    }
    try {
      const value = n.value;
      const shape = [...n.shape];
      const values = typeof value === 'number' ? [value] : (value as ArrayLike<number>);
      const data = Float32Array.from(values as ArrayLike<number>);
      const expected = shape.reduce((a, b) => a * b, 1);
      if (data.length !== expected || data.some((v) => typeof v !== 'number')) throw new Error(`${data.length} values for shape [${shape.join(', ')}]`);
      return { shape, data };
    } catch (e) {
      if (e instanceof ModelImportError) throw e;
      throw new ModelImportError(`${this.file}: the weights at ${path} cannot be read: ${reason(e)}.`);
    }
  }
}

function decodeStrings(v: unknown): unknown {
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v)) return v.map(decodeStrings);
  return v;
}
