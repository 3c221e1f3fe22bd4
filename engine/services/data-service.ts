// The data domain: the built-in samples, a preview of a table or image folder (with progress and
// cancel), and uploads from a browser page or a sandboxed window, which cannot hand over a path.
// Every typed path passes the Places policy; an upload only ever writes into a folder it made.
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Handlers } from '../../common/ipc/router';
import { UPLOAD_NAME_PATTERN, WINDOWS_UNSAFE_NAME } from '../../common/ipc/contract';
import { BadInputError, CancelledError } from '../../common/bad-input';
import { BUILTIN_DATASETS, isBuiltinRef } from '../datasets/builtin';
import { inspectDataset } from '../datasets/inspect';
import { FileAccessError } from '../files/places';
import type { EngineContext } from '../core/context';

export type DataHandlers = Pick<Handlers, 'datasets.list' | 'datasets.inspect' | 'datasets.cancel' | 'datasets.upload'>;

/** The marker an upload leaves in its folder: only such folders take later chunks. */
const UPLOAD_MARKER = '.glasswing-upload';
/** One upload (all its chunks) may hold at most this much (GLASSWING_MAX_UPLOAD_BYTES overrides). */
const MAX_UPLOAD_BYTES = Number(process.env['GLASSWING_MAX_UPLOAD_BYTES']) > 0 ? Number(process.env['GLASSWING_MAX_UPLOAD_BYTES']) : 4 * 1024 ** 3;

/** Checks one upload name: a single safe path segment (never ".", "..", a separator or NUL), one Windows can store too. */
export function checkUploadName(name: string): string {
  if (WINDOWS_UNSAFE_NAME.test(name) && UPLOAD_NAME_PATTERN.test(name)) {
    throw new FileAccessError(`"${name.slice(0, 60)}" cannot be an upload's folder name: Windows keeps names like CON, NUL and COM1 for devices and cannot store names ending in a space or a dot; add to the name.`);
  }
  if (!UPLOAD_NAME_PATTERN.test(name) || name === '.' || name === '..' || name.length > 120) {
    throw new FileAccessError(`"${name.slice(0, 60).replace(/[\u0000-\u001f]/g, '?')}" cannot be an upload's folder name: use letters, digits, spaces, dashes, underscores and dots, not in front.`);
  }
  return name;
}

/**
 * A relative path inside an upload: segments without "..", ".", NUL or a leading separator, none
 * longer than a file name may be, and never the upload's own marker.
 */
function checkUploadPath(p: string): string {
  const segments = p.split(/[\\/]+/);
  const shown = `"${p.slice(0, 100).replace(/[\u0000-\u001f]/g, '?')}"`;
  if (/^[\\/]/.test(p) || /^[A-Za-z]:/.test(p) || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0'))) {
    throw new FileAccessError(`The upload path ${shown} is not a plain relative path inside the upload.`);
  }
  if (segments.some((s) => Buffer.byteLength(s) > 255)) throw new FileAccessError(`The upload path ${shown} has a name longer than 255 bytes; rename that file or folder.`);
  if (segments.includes(UPLOAD_MARKER)) throw new FileAccessError(`The upload path ${shown} uses the name ${UPLOAD_MARKER}, which Glasswing keeps for itself; rename that file.`);
  return segments.join(path.sep);
}

/** A file-system error while writing `shown` (the path inside the upload) as the person's message; other errors as they are. */
function uploadWriteError(e: unknown, shown: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EISDIR: `${shown} is a folder in this upload, so no file can take its name`,
    ENOTDIR: `a folder on the way to ${shown} is a file in this upload`,
    EEXIST: `a folder on the way to ${shown} is a file in this upload`,
    ENAMETOOLONG: `the path ${shown} is too long for the disk`,
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'the uploads folder cannot be written (permission denied)',
    EROFS: 'the uploads folder is on a read-only disk',
  };
  return code && why[code] ? new BadInputError(`The upload could not be written: ${why[code]}.`) : e;
}

export function dataHandlers(ctx: EngineContext): DataHandlers {
  const running = new Map<string, AbortController>();
  /** Upload folders made by this engine, with the bytes written so far. */
  const uploads = new Map<string, number>();

  /** A new folder for an upload called `name`: name, name-2, name-3 … (existing ones are never touched). */
  async function newUploadFolder(name: string): Promise<string> {
    await mkdir(ctx.places.uploads, { recursive: true });
    const taken = new Set(await readdir(ctx.places.uploads));
    let chosen = name;
    for (let i = 2; taken.has(chosen); i++) chosen = `${name}-${i}`;
    const dir = path.join(ctx.places.uploads, chosen);
    await mkdir(dir);
    await writeFile(path.join(dir, UPLOAD_MARKER), new Date().toISOString());
    uploads.set(chosen, 0);
    return chosen;
  }

  async function isUploadFolder(name: string): Promise<boolean> {
    if (uploads.has(name)) return true;
    try {
      return (await stat(path.join(ctx.places.uploads, name, UPLOAD_MARKER))).isFile();
    } catch {
      return false;
    }
  }

  return {
    'datasets.list': async () => BUILTIN_DATASETS,
    'datasets.inspect': async ({ ref, options }) => {
      const source = isBuiltinRef(ref) ? ref : await ctx.places.readable(ref, 'data');
      running.get(ref)?.abort();
      const controller = new AbortController();
      running.set(ref, controller);
      try {
        const inspection = await inspectDataset(source, {
          ...options,
          signal: controller.signal,
          onProgress: (done, total, p) =>
            ctx.bus.emit('dataset.progress', { ref, phase: p?.phase ?? 'decoding', done, total, rate: p?.rate ?? 0, etaSeconds: p?.etaSeconds ?? null, skipped: p?.skipped ?? 0 }),
        });
        return { ...inspection, ref };
      } catch (e) {
        if ((e as { code?: string }).code === 'cancelled') throw new CancelledError(`Import of ${ref} was cancelled.`);
        throw e;
      } finally {
        if (running.get(ref) === controller) running.delete(ref);
      }
    },
    'datasets.cancel': async ({ ref }) => {
      running.get(ref)?.abort();
      return { ok: true };
    },
    'datasets.upload': async ({ name, files, fresh }) => {
      checkUploadName(name);
      const paths = files.map((f) => checkUploadPath(f.path));
      let folder: string;
      if (fresh) folder = await newUploadFolder(name);
      else if (await isUploadFolder(name)) folder = name;
      else throw new FileAccessError(`There is no upload "${name}" to add files to; start the upload again.`);
      const root = path.join(ctx.places.uploads, folder);
      let bytes = uploads.get(folder) ?? 0;
      try {
        bytes = await writeUploadFiles(root, files, paths, bytes);
      } catch (e) {
        // A first chunk that fails leaves nothing behind: its folder is new and holds only what it wrote.
        if (fresh) {
          uploads.delete(folder);
          await rm(root, { recursive: true, force: true }).catch(() => undefined);
        }
        throw e;
      }
      uploads.set(folder, bytes);
      // A single table file is the dataset; anything else is a folder of images.
      const single = files.length === 1 && !/[\\/]/.test(files[0]!.path) && /\.(csv|tsv|txt)$/i.test(files[0]!.path);
      return { ref: single ? path.join(root, checkUploadPath(files[0]!.path)) : root, files: files.length, name: folder };
    },
  };
}

/** Writes one upload message's files under `root` (the upload's folder); returns the upload's bytes so far. */
async function writeUploadFiles(root: string, files: { path: string; base64: string; offset?: number }[], paths: string[], bytes: number): Promise<number> {
  for (const [k, f] of files.entries()) {
    const target = path.join(root, paths[k]!);
    const shown = JSON.stringify(f.path.slice(0, 100));
    try {
      const data = Buffer.from(f.base64, 'base64');
      bytes += data.length;
      if (bytes > MAX_UPLOAD_BYTES) throw new BadInputError(`The upload is larger than ${(MAX_UPLOAD_BYTES / 1024 ** 3).toFixed(1)} GB, the most Glasswing accepts; import the folder by its path instead.`);
      await mkdir(path.dirname(target), { recursive: true });
      const offset = f.offset ?? 0;
      if (offset > 0) {
        // A later piece of a large file: it continues the file this upload started (a retried
        // piece overwrites what it wrote before), never a file that is not there yet.
        const size = await stat(target).then((s) => s.size, () => -1);
        if (size < offset) throw new BadInputError(`The upload of ${f.path} is missing bytes before ${offset}; start the upload again.`);
        const fh = await open(target, 'r+');
        try {
          await fh.truncate(offset);
          await fh.write(data, 0, data.length, offset);
        } finally {
          await fh.close();
        }
      } else {
        await writeFile(target, data, { flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
          // A file sent twice (a retried chunk) replaces only what this upload wrote.
          if (e.code === 'EEXIST') await writeFile(target, data);
          else throw e;
        });
      }
    } catch (e) {
      throw uploadWriteError(e, shown);
    }
  }
  return bytes;
}
