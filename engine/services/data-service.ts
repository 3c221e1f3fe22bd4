// Engine handlers for importing data: inspect a file or folder (with progress and cancel), and
// receive uploads from a browser or a sandboxed window (which cannot hand over a file path).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ContractError, type DatasetInspectionSummary } from '../../common/ipc/contract';
import type { Handlers } from '../../common/ipc/router';
import { inspectDataset } from '../datasets/inspect';
import { projectsDir } from '../project/project-store';
import type { Engine } from '../engine';

export type DataHandlers = Pick<Handlers, 'datasets.inspect' | 'datasets.cancel' | 'datasets.upload'>;

/** Where uploads land: one folder per uploaded dataset under the projects folder. */
export function uploadsDir(): string {
  return path.join(projectsDir(), 'uploads');
}

export function dataHandlers(engine: Engine): DataHandlers {
  const running = new Map<string, AbortController>();
  return {
    'datasets.inspect': async ({ ref, options }) => {
      running.get(ref)?.abort();
      const controller = new AbortController();
      running.set(ref, controller);
      try {
        const inspection = await inspectDataset(ref, {
          ...options,
          signal: controller.signal,
          onProgress: (done, total, p) =>
            engine.emit('dataset.progress', { ref, phase: p?.phase ?? 'decoding', done, total, rate: p?.rate ?? 0, etaSeconds: p?.etaSeconds ?? null, skipped: p?.skipped ?? 0 }),
        });
        return inspection as unknown as DatasetInspectionSummary;
      } catch (e) {
        const err = e as { code?: string; message?: string };
        if (err.code === 'cancelled') throw new ContractError('bad-input', `Import of ${ref} was cancelled.`);
        throw new ContractError(err.code === 'bad-input' ? 'bad-input' : 'internal', String(err.message));
      } finally {
        if (running.get(ref) === controller) running.delete(ref);
      }
    },
    'datasets.cancel': async ({ ref }) => {
      running.get(ref)?.abort();
      return { ok: true };
    },
    'datasets.upload': async ({ name, files, fresh }) => {
      const root = path.join(uploadsDir(), name);
      if (fresh) await rm(root, { recursive: true, force: true });
      for (const f of files) {
        // Relative paths only, and never outside the upload's own folder.
        const target = path.resolve(root, f.path.replace(/^[/\\]+/, ''));
        if (!target.startsWith(root + path.sep)) throw new ContractError('bad-input', `The upload path "${f.path}" leaves its folder.`);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, Buffer.from(f.base64, 'base64'));
      }
      // A single table file is the dataset; anything else is a folder of images.
      const single = files.length === 1 && !files[0]!.path.includes('/') && /\.(csv|tsv|txt)$/i.test(files[0]!.path);
      return { ref: single ? path.join(root, files[0]!.path) : root, files: files.length };
    },
  };
}
