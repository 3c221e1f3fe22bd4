// Image folders with one sub-folder per class (PNG, JPEG, WebP, GIF, BMP, TIFF). Images go through
// the one image path (engine/image-input.ts: decode, channels, bilinear resize) a few at a time, and
// land as bytes in one preallocated Uint8Array: no per-image objects are kept. Non-image files,
// corrupt or truncated images and unreadable files are skipped and listed, never fatal. Decoded
// pixels are cached on disk (see image-cache.ts), so opening the folder again is instant.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError, ImportCancelledError, MAX_CLASSES, fsReason, tooManyClassesMessage, type Dataset, type ImportProgress, type ImportReport } from './dataset';
import { decodeImage, ImageTooLargeError, resizeBilinear, toChannels } from '../image-input';
import { decodeBmp, isBmp } from './bmp';
import { openImageCache, writeImageCache, type CachedFile } from './image-cache';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff'];

export interface ImageFolderOptions {
  height?: number;
  width?: number;
  color?: 'grayscale' | 'rgb';
  /** Called at most about 10 times a second, and once at the end. */
  onProgress?: (done: number, total: number, progress: ImportProgress) => void;
  /** Stops the import; it then rejects with ImportCancelledError. */
  signal?: AbortSignal;
  /**
   * Where decoded pixels are cached: a folder, or false for no cache. Default: DIR/.glasswing-cache,
   * or the user's cache folder (GLASSWING_CACHE_DIR, else ~/.cache/glasswing) where DIR is read-only.
   */
  cacheDir?: string | false;
  /** Images decoded at the same time (default 4). */
  concurrency?: number;
  /** Images of a single class are fine (evaluating a trained classifier); training needs two. */
  oneClassAllowed?: boolean;
}

export interface ImageFolderResult {
  dataset: Dataset;
  skipped: { file: string; reason: string }[];
  report: ImportReport;
  /** Source file (relative to the folder) of each example. */
  files: string[];
}

/** Decodes one image file's bytes to model-sized pixels 0–255 (BMP through our own decoder). */
export async function decodeImageBytes(bytes: Uint8Array, shape: [number, number, number], label: string): Promise<Float32Array> {
  const [h, w, c] = shape;
  const img = isBmp(bytes) ? decodeBmp(bytes, label) : await decodeImage(bytes, label, { height: h, width: w });
  return resizeBilinear(toChannels(img, c), h, w).pixels;
}

interface ScannedFile extends CachedFile {
  abs: string;
  label: number;
}

async function listFolder(dir: string): Promise<import('node:fs').Dirent[]> {
  return readdir(dir, { withFileTypes: true });
}

/** Every file under a class folder (sub-folders too), sorted, with size and modification time. */
async function scan(dir: string, signal: AbortSignal | undefined): Promise<{ classes: string[]; files: ScannedFile[]; skipped: { file: string; reason: string }[] }> {
  let entries;
  try {
    entries = await listFolder(dir);
  } catch (e) {
    throw new DataError(`Cannot read the folder ${dir}: ${fsReason(e)}.`);
  }
  const skipped: { file: string; reason: string }[] = [];
  const isDir = async (e: import('node:fs').Dirent) => e.isDirectory() || (e.isSymbolicLink() && (await stat(path.join(dir, e.name)).then((s) => s.isDirectory(), () => false)));
  const classes: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (await isDir(e)) classes.push(e.name);
    else if (IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) skipped.push({ file: e.name, reason: 'not inside a class sub-folder' });
  }
  classes.sort();
  if (classes.length < 2) {
    throw new DataError(`${dir} needs one sub-folder of images per class and at least two classes; it has ${classes.length === 0 ? 'none' : `only "${classes[0]}"`}.`);
  }
  const found: { rel: string; label: number }[] = [];
  const walk = async (rel: string, label: number, depth: number): Promise<void> => {
    if (signal?.aborted) throw new ImportCancelledError(dir);
    let items;
    try {
      items = await listFolder(path.join(dir, rel));
    } catch (e) {
      skipped.push({ file: rel, reason: `cannot read the folder: ${fsReason(e)}` });
      return;
    }
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const item of items) {
      if (item.name.startsWith('.') || item.name === 'Thumbs.db' || item.name === 'desktop.ini') continue;
      const child = path.join(rel, item.name);
      if (item.isDirectory()) {
        if (depth < 8) await walk(child, label, depth + 1);
      } else found.push({ rel: child, label });
    }
  };
  for (const [label, cls] of classes.entries()) await walk(cls, label, 0);
  const files: ScannedFile[] = new Array(found.length);
  // stat in small parallel batches: thousands of files in well under a second.
  for (let i = 0; i < found.length; i += 64) {
    await Promise.all(
      found.slice(i, i + 64).map(async ({ rel, label }, k) => {
        const abs = path.join(dir, rel);
        let size = -1;
        let mtime = 0;
        try {
          const s = await stat(abs);
          size = s.size;
          mtime = s.mtimeMs;
        } catch {
          /* reported when read */
        }
        files[i + k] = { rel, abs, label, size, mtime };
      }),
    );
  }
  return { classes, files, skipped };
}

/** An image file larger than this is skipped unread (its pixels would be over the budget anyway). */
const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;

class Progress {
  private readonly start = Date.now();
  private last = 0;
  done = 0;
  skipped = 0;
  constructor(
    private readonly total: number,
    private readonly callback: ImageFolderOptions['onProgress'],
  ) {}
  emit(phase: ImportProgress['phase'], force = false): void {
    if (!this.callback) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    this.callback(this.done, this.total, { phase, done: this.done, total: this.total, rate, etaSeconds: rate > 0 ? (this.total - this.done) / rate : null, skipped: this.skipped });
  }
}

function decodeFailure(e: unknown, rel: string): string {
  if (e instanceof ImageTooLargeError) return e.message.replace(`${rel} is `, 'too large: ').replace(/; scale it down to use it\.$/, '');
  const message = (e as Error).message.replace(`${rel} cannot be decoded as an image: `, '');
  if (/unsupported image format|not a BMP/i.test(message)) return 'not an image (its content is no image format Glasswing reads)';
  return `corrupt or truncated image (${message})`;
}

export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderResult> {
  const started = Date.now();
  const height = options.height ?? 28;
  const width = options.width ?? 28;
  const channels: 1 | 3 = options.color === 'rgb' ? 3 : 1;
  const size = height * width * channels;
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 4096) throw new DataError(`The image ${name} must be a whole number from 1 to 4096; got ${v}.`);
  }
  const signal = options.signal;
  const source = path.resolve(dir);
  if (signal?.aborted) throw new ImportCancelledError(dir);
  const { classes: folders, files, skipped } = await scan(source, signal);
  const progress = new Progress(files.length, options.onProgress);
  progress.emit('scanning', true);

  const cache = options.cacheDir === false ? null : await openImageCache(source, { height, width, channels }, files, options.cacheDir ?? undefined);
  // A complete cache holds exactly the readable rows; otherwise each file gets a slot, compacted below.
  const totalBytes = (cache?.complete ? cache.rows : files.length) * size;
  if (totalBytes > 2 ** 32 - 1) {
    await cache?.close();
    throw new DataError(`${dir}: ${files.length.toLocaleString('en-US')} images at ${height}×${width}×${channels} need ${(totalBytes / 2 ** 30).toFixed(1)} GiB, more than one import holds (4 GiB); choose a smaller image size.`);
  }
  let pixels: Uint8Array;
  try {
    pixels = new Uint8Array(totalBytes);
  } catch {
    await cache?.close();
    throw new DataError(`${dir}: there is not enough memory for ${files.length.toLocaleString('en-US')} images at ${height}×${width}×${channels} (${(totalBytes / 2 ** 30).toFixed(1)} GiB); choose a smaller image size.`);
  }
  const reasons: (string | null)[] = new Array(files.length).fill(null);
  let reused = 0;
  let fromCache = false;
  try {
    if (cache?.complete) {
      fromCache = true;
      const { rows, reasons: cachedReasons } = await cache.readAll(pixels, size);
      reused = rows;
      cachedReasons.forEach((r, i) => (reasons[i] = r));
      progress.done = files.length;
      progress.skipped = cachedReasons.filter((r) => r !== null).length;
      progress.emit('cached', true);
    } else {
      let next = 0;
      const view = new Uint8ClampedArray(pixels.buffer, pixels.byteOffset, pixels.byteLength);
      const worker = async (): Promise<void> => {
        for (;;) {
          if (signal?.aborted) throw new ImportCancelledError(dir);
          const i = next++;
          if (i >= files.length) return;
          const f = files[i]!;
          const known = cache ? await cache.readOne(f, pixels, i * size, size) : undefined;
          if (known !== undefined) {
            reasons[i] = known;
            if (known === null) reused++;
          } else if (!IMAGE_EXTENSIONS.includes(path.extname(f.rel).toLowerCase())) {
            reasons[i] = 'not an image file';
          } else if (f.size > MAX_IMAGE_FILE_BYTES) {
            reasons[i] = `too large: the file is ${(f.size / 2 ** 20).toFixed(0)} MB, more than the ${MAX_IMAGE_FILE_BYTES / 2 ** 20} MB Glasswing reads per image`;
          } else {
            let bytes: Uint8Array | null = null;
            try {
              bytes = await readFile(f.abs);
            } catch (e) {
              reasons[i] = `cannot read the file: ${fsReason(e)}`;
            }
            if (bytes) {
              try {
                // Uint8ClampedArray rounds and clamps the resized floats into bytes.
                view.set(await decodeImageBytes(bytes, [height, width, channels], f.rel), i * size);
              } catch (e) {
                reasons[i] = decodeFailure(e, f.rel);
              }
            }
          }
          if (reasons[i] !== null) progress.skipped++;
          progress.done++;
          progress.emit('decoding');
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, 16)) }, worker));
    }
  } finally {
    await cache?.close();
  }

  // Compact: move good rows down over the skipped ones (in place, order kept).
  let n = 0;
  const y: number[] = [];
  const kept: string[] = [];
  files.forEach((f, i) => {
    const reason = reasons[i];
    if (reason !== null) {
      skipped.push({ file: f.rel, reason });
      return;
    }
    if (!fromCache && n !== i) pixels.copyWithin(n * size, i * size, (i + 1) * size);
    y.push(f.label);
    kept.push(f.rel);
    n++;
  });
  let cacheFile: string | null = cache?.file ?? null;
  if (options.cacheDir !== false && !fromCache) {
    cacheFile = await writeImageCache(source, { height, width, channels }, files, reasons, pixels.subarray(0, n * size), options.cacheDir);
  }
  progress.emit('done', true);

  // Classes are the folders that hold at least one readable image.
  const counts = new Array<number>(folders.length).fill(0);
  for (const l of y) counts[l]!++;
  const warnings: string[] = [];
  const empty = folders.filter((_, i) => counts[i] === 0);
  if (empty.length) warnings.push(`${empty.length === 1 ? 'The class folder' : 'The class folders'} ${empty.map((c) => `"${c}"`).join(', ')} ${empty.length === 1 ? 'has' : 'have'} no readable images and ${empty.length === 1 ? 'is' : 'are'} left out.`);
  const classes = folders.filter((_, i) => counts[i]! > 0);
  if (n === 0) throw new DataError(`${dir} has no readable images (${skipped.length} file${skipped.length === 1 ? '' : 's'} skipped${skipped[0] ? `; ${skipped[0].file}: ${skipped[0].reason}` : ''}).`);
  if (classes.length > MAX_CLASSES) throw new DataError(tooManyClassesMessage(dir, classes.length));
  if (classes.length < 2 && !options.oneClassAllowed) throw new DataError(`${dir} has readable images in only one class ("${classes[0]}"); a classifier needs at least two.`);
  const remap = new Int32Array(folders.length).fill(-1);
  classes.forEach((c) => (remap[folders.indexOf(c)] = classes.indexOf(c)));
  const report: ImportReport = {
    source,
    kind: 'images',
    found: files.length,
    imported: n,
    skipped,
    fromCache,
    reused,
    cacheFile,
    seconds: (Date.now() - started) / 1000,
    warnings,
  };
  return {
    dataset: {
      id: dir,
      name: path.basename(source),
      kind: 'images',
      task: 'classification',
      x: pixels.subarray(0, n * size),
      inputShape: [height, width, channels],
      y: Float32Array.from(y, (l) => remap[l]!),
      classes,
      count: n,
      featureNames: [],
      fixedPreprocessing: { kind: 'image', height, width, channels, scale: 1 / 255, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) },
      report,
    },
    skipped,
    report,
    files: kept,
  };
}
