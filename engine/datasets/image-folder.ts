// Image folders with one sub-folder per class. Images are decoded and resized with sharp into one
// compact array; unreadable files are skipped and listed, never fatal.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataError, type Dataset } from './dataset';
import { imageForModel } from '../image-input';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff'];

export interface ImageFolderOptions {
  height?: number;
  width?: number;
  color?: 'grayscale' | 'rgb';
  onProgress?: (done: number, total: number) => void;
}

export interface ImageFolderResult {
  dataset: Dataset;
  skipped: { file: string; reason: string }[];
}

export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderResult> {
  const height = options.height ?? 28;
  const width = options.width ?? 28;
  const channels = options.color === 'rgb' ? 3 : 1;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new DataError(`Cannot read the folder ${dir}: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message}.`);
  }
  const classes = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (classes.length < 2) {
    throw new DataError(`${dir} needs one sub-folder per class and at least two classes; it has ${classes.length === 0 ? 'none' : `only "${classes[0]}"`}.`);
  }
  const files: { file: string; label: number }[] = [];
  for (const [label, cls] of classes.entries()) {
    const names = (await readdir(path.join(dir, cls))).sort();
    for (const name of names) files.push({ file: path.join(dir, cls, name), label });
  }
  const size = height * width * channels;
  const x = new Float32Array(files.length * size);
  const y = new Float32Array(files.length);
  const skipped: { file: string; reason: string }[] = [];
  let n = 0;
  for (const [i, { file, label }] of files.entries()) {
    options.onProgress?.(i, files.length);
    if (!IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase())) {
      if ((await stat(file)).isFile()) skipped.push({ file, reason: 'not an image file' });
      continue;
    }
    try {
      x.set(await imageForModel(file, [height, width, channels], file), n * size);
      y[n] = label;
      n++;
    } catch (e) {
      skipped.push({ file, reason: (e as Error).message });
    }
  }
  options.onProgress?.(files.length, files.length);
  if (n === 0) throw new DataError(`${dir} has no readable images.`);
  return {
    dataset: {
      id: dir,
      name: path.basename(dir),
      kind: 'images',
      task: 'classification',
      x: x.slice(0, n * size),
      inputShape: [height, width, channels],
      y: y.slice(0, n),
      classes,
      count: n,
      featureNames: [],
      fixedPreprocessing: { kind: 'image', height, width, channels, scale: 1 / 255, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) },
    },
    skipped,
  };
}
