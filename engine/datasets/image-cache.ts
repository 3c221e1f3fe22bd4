// The on-disk cache of decoded image folders: <key>.bin holds the pixels of every readable image
// (Uint8, model size, in file order) and <key>.json lists the files with size and modification
// time, and each file's row in the .bin or the reason it was skipped. The key is the folder's path
// and the target size and colour. When every file is unchanged the pixels load in one read; when
// some changed, the unchanged rows are still reused and only new or changed files are decoded.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

const VERSION = 1;

export interface CachedFile {
  /** Path relative to the dataset folder. */
  rel: string;
  size: number;
  mtime: number;
}

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

interface CacheIndex {
  version: number;
  source: string;
  height: number;
  width: number;
  channels: number;
  /** [relative path, size, mtime, row in .bin or skip reason]. */
  entries: [string, number, number, number | string][];
}

export interface ImageCache {
  /** Every file is unchanged: readAll gives everything. */
  complete: boolean;
  file: string;
  /** Reads every cached row into `pixels` (compacted, file order); returns rows read and per-file reasons. */
  readAll(pixels: Uint8Array, size: number): Promise<{ rows: number; reasons: (string | null)[] }>;
  /** undefined: not cached (decode it); null: its pixels were read into pixels[offset…]; a string: it was skipped for this reason. */
  readOne(f: CachedFile, pixels: Uint8Array, offset: number, size: number): Promise<string | null | undefined>;
  /** Rows in the .bin when complete. */
  rows: number;
  close(): Promise<void>;
}

export function userCacheDir(): string {
  const env = process.env['GLASSWING_CACHE_DIR'];
  if (env) return env;
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg || path.join(homedir(), '.cache'), 'glasswing');
}

function locations(source: string, cacheDir: string | undefined): string[] {
  return cacheDir ? [cacheDir] : [path.join(source, '.glasswing-cache'), userCacheDir()];
}

export function cacheKey(source: string, shape: ImageShape): string {
  return createHash('sha256').update(`v${VERSION}\0${source}\0${shape.height}x${shape.width}x${shape.channels}`).digest('hex').slice(0, 24);
}

async function readIndex(file: string, source: string, shape: ImageShape): Promise<CacheIndex | null> {
  try {
    const index = JSON.parse(await readFile(file, 'utf8')) as CacheIndex;
    if (index.version !== VERSION || index.source !== source || index.height !== shape.height || index.width !== shape.width || index.channels !== shape.channels || !Array.isArray(index.entries)) return null;
    return index;
  } catch {
    return null;
  }
}

/** Finds the cache of this folder at this size, if any. */
export async function openImageCache(source: string, shape: ImageShape, files: CachedFile[], cacheDir?: string): Promise<ImageCache | null> {
  const key = cacheKey(source, shape);
  for (const dir of locations(source, cacheDir)) {
    const jsonFile = path.join(dir, `${key}.json`);
    const binFile = path.join(dir, `${key}.bin`);
    const index = await readIndex(jsonFile, source, shape);
    if (!index) continue;
    const rows = index.entries.filter((e) => typeof e[3] === 'number').length;
    const size = shape.height * shape.width * shape.channels;
    let binSize = -1;
    try {
      binSize = (await stat(binFile)).size;
    } catch {
      continue;
    }
    if (binSize !== rows * size) continue;
    const complete = index.entries.length === files.length && index.entries.every((e, i) => e[0] === files[i]!.rel && e[1] === files[i]!.size && e[2] === files[i]!.mtime && files[i]!.size >= 0);
    const byPath = new Map(index.entries.map((e) => [e[0], e]));
    // One handle shared by the concurrent readers (the promise, so it is opened once).
    let handle: Promise<FileHandle> | null = null;
    let closed = false;
    const fd = () => (handle ??= open(binFile, 'r'));
    return {
      complete,
      file: binFile,
      rows,
      async readAll(pixels) {
        const h = await fd();
        await h.read({ buffer: pixels, offset: 0, length: rows * size, position: 0 });
        return { rows, reasons: index.entries.map((e) => (typeof e[3] === 'string' ? e[3] : null)) };
      },
      async readOne(f, pixels, offset, rowSize) {
        const e = byPath.get(f.rel);
        if (closed || !e || f.size < 0 || e[1] !== f.size || e[2] !== f.mtime) return undefined;
        if (typeof e[3] === 'string') return e[3];
        const h = await fd();
        const { bytesRead } = await h.read({ buffer: pixels, offset, length: rowSize, position: e[3] * rowSize });
        return bytesRead === rowSize ? null : undefined;
      },
      async close() {
        const h = handle as Promise<FileHandle> | null;
        closed = true;
        if (h) await (await h).close();
      },
    };
  }
  return null;
}

/** Writes the cache where it can (the folder's .glasswing-cache, else the user's cache); returns the .bin path or null. */
export async function writeImageCache(source: string, shape: ImageShape, files: CachedFile[], reasons: (string | null)[], pixels: Uint8Array, cacheDir?: string): Promise<string | null> {
  const key = cacheKey(source, shape);
  let row = 0;
  const index: CacheIndex = {
    version: VERSION,
    source,
    ...shape,
    // Files whose size could not be read are not cached (their stat failed; they were skipped).
    entries: files.map((f, i) => [f.rel, f.size, f.mtime, reasons[i] ?? row++]),
  };
  for (const dir of locations(source, cacheDir)) {
    const jsonFile = path.join(dir, `${key}.json`);
    const binFile = path.join(dir, `${key}.bin`);
    const tmp = `.${process.pid}.${Date.now()}.tmp`;
    try {
      await mkdir(dir, { recursive: true });
      // The .bin first: an index never points at pixels that are not there yet.
      await writeFile(binFile + tmp, pixels);
      await rename(binFile + tmp, binFile);
      await writeFile(jsonFile + tmp, JSON.stringify(index));
      await rename(jsonFile + tmp, jsonFile);
      return binFile;
    } catch {
      await unlink(binFile + tmp).catch(() => undefined);
      await unlink(jsonFile + tmp).catch(() => undefined);
    }
  }
  return null;
}
