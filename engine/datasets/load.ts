// One entry point for every dataset reference: a built-in id, a CSV/TSV file, or an image folder.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadIris, loadMnist } from './builtin';
import { parseCsv, tableDataset } from './csv';
import { DataError, type Dataset } from './dataset';
import { loadImageFolder, type ImageFolderOptions } from './image-folder';

export interface LoadOptions extends ImageFolderOptions {
  labelColumn?: string;
}

export async function loadDataset(ref: string, options: LoadOptions = {}): Promise<Dataset> {
  if (ref === 'iris') return loadIris();
  if (ref === 'mnist') return loadMnist();
  let info;
  try {
    info = await stat(ref);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${ref} does not exist. Use a CSV file, an image folder, or a built-in dataset (iris, mnist).`);
    throw new DataError(`Cannot open ${ref}: ${(e as Error).message}.`);
  }
  if (info.isDirectory()) return (await loadImageFolder(ref, options)).dataset;
  let text;
  try {
    text = await readFile(ref, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(`Cannot read ${ref}: ${code === 'EACCES' ? 'permission denied' : (e as Error).message}.`);
  }
  const name = path.basename(ref);
  return tableDataset(parseCsv(text, name), name, ref, { labelColumn: options.labelColumn });
}
