// Sends files to the engine from a browser page (which cannot hand over paths): in pieces, into a
// new folder under the Glasswing folder's uploads/. The engine answers with where they landed: the
// file's path for one file, the folder's for several.
import { uploadNameFor } from '../../../common/ipc/contract';
import { backend } from './backend';

/** Uploads travel in pieces of about this many bytes (base64 grows them by a third). */
const CHUNK_BYTES = 6 * 1024 * 1024;

export interface UploadFile {
  /** Path inside the upload, e.g. "circle/img1.png" or "houses.csv". */
  path: string;
  file: Blob;
}

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Uploads `files` as one upload named after `name`; returns the engine's reference to it. */
export async function uploadFiles(name: string, files: UploadFile[], onProgress?: (done: number, total: number) => void): Promise<string> {
  let ref = '';
  let batch: { path: string; base64: string; offset?: number }[] = [];
  let size = 0;
  let first = true;
  let done = 0;
  // The engine makes a new folder for the first chunk and says its name; later chunks add to it.
  let folder = uploadNameFor(name);
  const flush = async () => {
    if (!batch.length) return;
    const r = await backend.invoke('datasets.upload', { name: folder, files: batch, fresh: first });
    ref = r.ref;
    folder = r.name;
    first = false;
    done += new Set(batch.map((b) => b.path)).size;
    onProgress?.(Math.min(done, files.length), files.length);
    batch = [];
    size = 0;
  };
  for (const f of files) {
    // A file larger than a piece (a trained model) goes in pieces, each at its offset.
    for (let offset = 0; offset === 0 || offset < f.file.size; offset += CHUNK_BYTES) {
      const piece = f.file.size > CHUNK_BYTES ? f.file.slice(offset, offset + CHUNK_BYTES) : f.file;
      batch.push({ path: f.path, base64: toBase64(await piece.arrayBuffer()), ...(offset > 0 ? { offset } : {}) });
      size += piece.size;
      if (size >= CHUNK_BYTES || f.file.size > CHUNK_BYTES) await flush();
      if (f.file.size <= CHUNK_BYTES) break;
    }
  }
  await flush();
  return ref;
}
