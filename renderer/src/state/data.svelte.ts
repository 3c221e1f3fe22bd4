// The data importer: what is being looked at (a built-in sample, a file or folder on disk, or an
// upload), how it is read, what the engine sees in it, and progress while it decodes.
import { uploadNameFor, type DatasetInfo, type DatasetInspection, type DatasetOptions, type DatasetProgressEvent } from '../../../common/ipc/contract';
import { backend } from '../lib/backend';
import { workbench } from './workbench.svelte';

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

export class DataState {
  ref = $state<string | null>(null);
  options = $state<DatasetOptions>({});
  inspection = $state.raw<DatasetInspection | null>(null);
  busy = $state<'idle' | 'uploading' | 'inspecting'>('idle');
  progress = $state.raw<DatasetProgressEvent | null>(null);
  uploaded = $state({ done: 0, total: 0 });
  error = $state<string | null>(null);

  constructor() {
    backend.on('dataset.progress', (p) => {
      if (p.ref === this.ref) this.progress = p;
    });
  }

  async inspect(ref: string, options: DatasetOptions = this.options): Promise<void> {
    this.ref = ref;
    this.options = options;
    this.error = null;
    this.progress = null;
    this.busy = 'inspecting';
    try {
      this.inspection = await backend.invoke('datasets.inspect', { ref, options: $state.snapshot(options) as DatasetOptions });
    } catch (e) {
      this.inspection = null;
      this.error = (e as Error).message;
    } finally {
      this.busy = 'idle';
    }
  }

  /** Re-reads the same source with one option changed (label, categorical, ignore, size). */
  async reinspect(change: Partial<DatasetOptions>): Promise<void> {
    if (this.ref) await this.inspect(this.ref, { ...$state.snapshot(this.options), ...change } as DatasetOptions);
  }

  async cancel(): Promise<void> {
    if (this.ref) await backend.invoke('datasets.cancel', { ref: this.ref });
  }

  /** Sends files to the engine (browsers and sandboxed windows cannot pass paths), then inspects. */
  async upload(name: string, files: UploadFile[]): Promise<void> {
    this.error = null;
    this.inspection = null;
    this.busy = 'uploading';
    this.uploaded = { done: 0, total: files.length };
    try {
      let ref = '';
      let batch: { path: string; base64: string }[] = [];
      let size = 0;
      let first = true;
      // The engine makes a new folder for the first chunk and says its name; later chunks add to it.
      let folder = uploadNameFor(name);
      const flush = async () => {
        if (!batch.length) return;
        const r = await backend.invoke('datasets.upload', { name: folder, files: batch, fresh: first });
        ref = r.ref;
        folder = r.name;
        first = false;
        this.uploaded = { done: this.uploaded.done + batch.length, total: files.length };
        batch = [];
        size = 0;
      };
      for (const f of files) {
        batch.push({ path: f.path, base64: toBase64(await f.file.arrayBuffer()) });
        size += f.file.size;
        if (size >= CHUNK_BYTES) await flush();
      }
      await flush();
      this.busy = 'idle';
      await this.inspect(ref, {});
    } catch (e) {
      this.error = (e as Error).message;
      this.busy = 'idle';
    }
  }

  /** Makes the inspected data the one to train on. */
  use(): void {
    const i = this.inspection;
    if (!i || !i.ok || !this.ref || !i.inputShape) return;
    const info: DatasetInfo = {
      id: this.ref,
      name: i.name,
      description: `${i.count.toLocaleString('en-US')} ${i.kind === 'images' ? 'images' : 'rows'} · ${i.task ?? ''}${i.classes.length ? ` · ${i.classes.length} classes` : ''}`,
      kind: i.kind,
      examples: i.count,
      inputShape: i.inputShape,
      classes: i.classes.map((c) => c.name),
      task: i.task ?? 'classification',
    };
    const o = $state.snapshot(this.options) as DatasetOptions;
    void workbench.useDataset(info, {
      labelColumn: o.labelColumn ?? i.labelColumn ?? undefined,
      categorical: o.categorical,
      ignore: o.ignore,
      badValues: o.badValues,
      imageHeight: o.height,
      imageWidth: o.width,
      color: o.color,
    });
  }
}

export const data = new DataState();
