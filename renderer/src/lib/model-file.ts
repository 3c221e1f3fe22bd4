// Picking a model file (ONNX from PyTorch, .keras, .h5, or a TF.js model.json with its weights):
// on the desktop its real path; in a browser the picked files are uploaded and the engine reads them
// there. What the engine can open is decided by the engine (engine/import), not by the extension.
import { backend } from './backend';
import { uploadFiles } from './upload';

export const MODEL_FILE_ACCEPT = '.onnx,.keras,.h5,.hdf5,.json,.bin';
export const MODEL_FILE_FILTERS = [{ name: 'Models (ONNX, Keras, TF.js)', extensions: ['onnx', 'keras', 'h5', 'hdf5', 'json'] }];

export interface PickedModel {
  path: string;
  /** The file's name as the person knows it (the model's name in runs and pickers). */
  name: string;
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** A native open dialog where the host has one (the desktop); null when cancelled or in a browser. */
export async function pickModelByDialog(): Promise<PickedModel | null> {
  if (!backend.platform.openDialog) return null;
  const path = await backend.platform.openDialog({ title: 'Open a model: ONNX (PyTorch), Keras (.keras, .h5) or TF.js (model.json)', filters: MODEL_FILE_FILTERS });
  return path ? { path, name: baseName(path) } : null;
}

/**
 * The model in files picked with an <input type=file>: its path when the host can tell (desktop),
 * otherwise uploaded first. A TF.js model is its model.json with its weight files.
 */
export async function modelFromFiles(files: File[]): Promise<PickedModel | null> {
  if (!files.length) return null;
  const main = files.find((f) => /\.(onnx|keras|h5|hdf5)$/i.test(f.name)) ?? files.find((f) => f.name.endsWith('.json')) ?? files[0]!;
  const local = backend.platform.pathForFile(main);
  if (local) return { path: local, name: main.name };
  const ref = await uploadFiles(main.name.replace(/\.[^.]+$/, ''), files.map((f) => ({ path: f.name, file: f })));
  return { path: fileInUpload(ref, main.name), name: main.name };
}

/** Where the engine can read one picked file: its path on the desktop, else an upload of it. */
export async function readableFile(file: File): Promise<string> {
  const local = backend.platform.pathForFile(file);
  if (local) return local;
  return fileInUpload(await uploadFiles(file.name.replace(/\.[^.]+$/, ''), [{ path: file.name, file }]), file.name);
}

/**
 * The engine answers an upload with its folder, or with the file itself when the upload is one
 * table-like file (.csv, .tsv, .txt: a data set on its own); either way, the path of `name` in it.
 */
function fileInUpload(ref: string, name: string): string {
  return baseName(ref) === name ? ref : `${ref}/${name}`;
}
