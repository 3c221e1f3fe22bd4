// One entry point for every dataset reference: a built-in id, a CSV/TSV file, or an image folder.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isBuiltinRef, loadIris, loadMnist } from './builtin';
import { watermarkDataset } from './watermark';
import type { TableOptions } from './csv';
import { loadTableFile } from './csv-file';
import { DataError, ImportCancelledError, fsReason, type Dataset, type ImportReport } from './dataset';
import { loadImageFolder, type ImageFolderOptions } from './image-folder';

export interface LoadOptions extends ImageFolderOptions, Omit<TableOptions, 'labelColumn'> {
  labelColumn?: string;
}

/** What a reference points at, or a DataError saying why it cannot be used. */
export async function resolveRef(ref: string): Promise<'builtin' | 'folder' | 'file'> {
  if (isBuiltinRef(ref)) return 'builtin';
  let info;
  try {
    info = await stat(ref);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DataError(`${ref} does not exist. Use a CSV file, an image folder, or a built-in dataset (iris, mnist, watermark).`);
    throw new DataError(`Cannot open ${ref}: ${fsReason(e)}.`);
  }
  if (info.isDirectory()) return 'folder';
  if (!info.isFile()) throw new DataError(`${ref} is neither a file nor a folder.`);
  return 'file';
}

/** A dataset and the report of its import (what was read, what was skipped, whether the cache was used). */
export async function importDataset(ref: string, options: LoadOptions = {}): Promise<{ dataset: Dataset; report: ImportReport }> {
  const started = Date.now();
  const kind = await resolveRef(ref);
  if (options.signal?.aborted) throw new ImportCancelledError(ref);
  if (kind === 'builtin') {
    const dataset = ref === 'iris' ? loadIris() : ref === 'mnist' ? loadMnist() : watermarkDataset();
    const report: ImportReport = { source: ref, kind: dataset.kind, found: dataset.count, imported: dataset.count, skipped: [], fromCache: false, reused: 0, cacheFile: null, seconds: (Date.now() - started) / 1000, warnings: [] };
    return { dataset, report };
  }
  if (kind === 'folder') {
    const { dataset, report } = await loadImageFolder(ref, options);
    return { dataset, report };
  }
  const { dataset, records, dropped } = await loadTableFile(ref, ref, options);
  const warnings = dropped ? [`${dropped.toLocaleString('en-US')} rows with non-numbers were left out, as you chose.`] : [];
  const report: ImportReport = { source: path.resolve(ref), kind: 'table', found: records, imported: dataset.count, skipped: [], fromCache: false, reused: 0, cacheFile: null, seconds: (Date.now() - started) / 1000, warnings };
  options.onProgress?.(dataset.count, dataset.count, { phase: 'done', done: dataset.count, total: dataset.count, rate: 0, etaSeconds: 0, skipped: 0 });
  return { dataset: { ...dataset, report }, report };
}

export async function loadDataset(ref: string, options: LoadOptions = {}): Promise<Dataset> {
  return (await importDataset(ref, options)).dataset;
}
