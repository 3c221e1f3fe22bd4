// Every run the engine knows of. Runs in memory (the one training, and the most recently used
// finished ones, at most `maxLoaded`) hold their model and data; finished runs are persisted as
// soon as they end (runs/<id>/: model.json, weights.bin, run.json) so an engine that crashes
// loses at most the run in progress, and a run evicted from memory is reloaded on demand. Queued
// runs are listed and can be waited for.
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunInfo } from '../../common/ipc/contract';
import { NotFoundError } from '../../common/bad-input';
import { loadModel, saveModel, writeFileAtomic, writeFolderAtomic } from '../model-io';
import { emptyPrepared } from '../datasets/prepare';
import type { DataCache } from './data-cache';
import { RunRecord, type RunFile } from './run-record';

export interface RunStoreOptions {
  /** Where finished runs are persisted (null: kept in memory only, as the CLI and tests do). */
  dir: string | null;
  /** This engine session: a restarted engine of the same host lists the session's runs again. */
  session: string;
  /** Finished runs kept in memory at once (default 4). */
  maxLoaded?: number;
  /** Persisted runs kept on disk (oldest removed first; default 200). */
  maxStored?: number;
}

const RUN_FILE = 'run.json';

export class RunStore {
  private readonly live = new Map<string, RunRecord>();
  private readonly infos = new Map<string, RunInfo>();
  private loadingFromDisk = new Map<string, Promise<RunRecord>>();
  private scanned = false;
  private sequence = 0;

  constructor(
    private readonly data: DataCache,
    private readonly options: RunStoreOptions,
  ) {}

  get session(): string {
    return this.options.session;
  }

  /** The next default name ("Run N"), counting this session's runs. */
  nextName(): string {
    return `Run ${Math.max(this.sequence, this.infos.size) + 1}`;
  }

  /** Registers a run that is queued or training now. */
  add(record: RunRecord): void {
    this.sequence++;
    this.infos.set(record.runId, record.info);
    this.live.set(record.runId, record);
  }

  /** Updates the listing of a run (its state, name, epochs…). */
  update(record: RunRecord): void {
    this.infos.set(record.runId, record.info);
  }

  /** A run in memory, without loading anything (undefined when it is not held now). */
  active(runId: string): RunRecord | undefined {
    return this.live.get(runId);
  }

  /** A run with its model (waiting for a queued run to start), loaded from disk if need be. */
  async started(runId: string): Promise<RunRecord> {
    const record = await this.get(runId);
    await record.started;
    return record;
  }

  /** A run whose training has ended (waiting for it if it is queued or training). */
  async ended(runId: string): Promise<RunRecord> {
    const record = await this.get(runId);
    await record.done;
    return record;
  }

  /** A run with its model and data, loaded from disk if it was evicted or the engine restarted. */
  async get(runId: string): Promise<RunRecord> {
    const held = this.live.get(runId);
    if (held) {
      // Most recently used last: eviction takes from the front.
      this.live.delete(runId);
      this.live.set(runId, held);
      return held;
    }
    let loading = this.loadingFromDisk.get(runId);
    if (!loading) {
      loading = this.load(runId).finally(() => this.loadingFromDisk.delete(runId));
      this.loadingFromDisk.set(runId, loading);
    }
    const record = await loading;
    this.live.set(runId, record);
    this.evict();
    return record;
  }

  /** The listing of every run of this session (and any loaded), oldest first. */
  async list(): Promise<RunInfo[]> {
    await this.scan();
    return [...this.infos.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  info(runId: string): RunInfo | undefined {
    return this.infos.get(runId);
  }

  rename(runId: string, name: string): RunInfo {
    const info = this.infos.get(runId);
    if (!info) throw new NotFoundError(`There is no training run "${runId}".`);
    const renamed = { ...info, name };
    this.infos.set(runId, renamed);
    const live = this.live.get(runId);
    if (live) live.info = renamed;
    void this.rewriteInfo(runId, renamed);
    return renamed;
  }

  /** Writes a finished (or failed) run to disk: its model folder and run.json, as one unit. */
  async persist(record: RunRecord): Promise<void> {
    this.infos.set(record.runId, record.info);
    const dir = this.options.dir;
    if (!dir) return;
    const file: RunFile = {
      format: 'glasswing-run',
      version: 1,
      session: this.options.session,
      info: record.info,
      topology: record.topology,
      reading: record.reading,
      split: record.split,
      history: record.history,
      test: record.test,
      regression: record.regression,
      ...(record.stopReason ? { stopReason: record.stopReason } : {}),
      ...(record.restoredEpoch !== undefined ? { restoredEpoch: record.restoredEpoch } : {}),
      hasModel: record.hasModel,
    };
    const target = path.join(dir, record.runId);
    await mkdir(dir, { recursive: true });
    if (record.hasModel) await saveModel(record.model, target, record.metadata, { [RUN_FILE]: JSON.stringify(file) });
    else await writeFolderAtomic(target, { [RUN_FILE]: JSON.stringify(file) });
    this.evict();
    await this.prune();
  }

  /** Unloads finished runs beyond the memory bound, least recently used first. */
  private evict(): void {
    const max = this.options.maxLoaded ?? 4;
    if (!this.options.dir) return; // nothing to reload from: keep everything
    const finished = [...this.live.values()].filter((r) => r.state === 'finished' || r.state === 'failed');
    for (const r of finished.slice(0, Math.max(0, finished.length - max))) {
      this.live.delete(r.runId);
      r.unload();
    }
  }

  /** Lists the persisted runs of this session (once: later runs are added as they are made). */
  private async scan(): Promise<void> {
    if (this.scanned || !this.options.dir) return;
    this.scanned = true;
    let names: string[] = [];
    try {
      names = await readdir(this.options.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (this.infos.has(name)) continue;
      const file = await readRunFile(path.join(this.options.dir, name));
      if (file && file.session === this.options.session) this.infos.set(file.info.runId, file.info);
    }
  }

  private async load(runId: string): Promise<RunRecord> {
    const dir = this.options.dir;
    const folder = dir && /^[\w.-]+$/.test(runId) ? path.join(dir, runId) : null;
    const file = folder ? await readRunFile(folder) : null;
    if (!folder || !file) throw new NotFoundError(`There is no training run "${runId}".`);
    if (!file.hasModel) throw new NotFoundError(`${file.info.name} ${file.info.message ? `failed (${file.info.message})` : 'failed'}; it has no trained model.`);
    const { model, metadata } = await loadModel(folder);
    if (!metadata) throw new NotFoundError(`The stored run ${runId} has lost its description; train it again.`);
    let record: RunRecord;
    try {
      const dataset = await this.data.load(file.info.dataset.ref, file.reading);
      const lease = this.data.lease(file.info.dataset.ref, file.reading, dataset, file.split);
      record = new RunRecord(file.info, metadata, file.topology, file.info.settings, file.reading, file.split, lease.dataset, lease.prepared);
      record.release = lease.release;
    } catch (e) {
      // The model still predicts, exports and explains dropped images; the data views say why they are empty.
      record = new RunRecord(file.info, metadata, file.topology, file.info.settings, file.reading, file.split, emptyDataset(file), emptyPrepared(metadata));
      record.dataError = `The data this run was trained on (${file.info.dataset.ref}) cannot be read any more: ${(e as Error).message}`;
    }
    record.model = model;
    record.history = file.history;
    record.test = file.test;
    record.regression = file.regression;
    if (file.stopReason) record.stopReason = file.stopReason;
    if (file.restoredEpoch !== undefined) record.restoredEpoch = file.restoredEpoch;
    record.backend = { name: (file.info.backend ?? 'cpu') as never, device: file.info.backend ?? '', reason: '' };
    record.end(file.info.state === 'failed' ? 'failed' : 'finished', file.info.message);
    record.close();
    this.infos.set(runId, record.info);
    return record;
  }

  private async rewriteInfo(runId: string, info: RunInfo): Promise<void> {
    const dir = this.options.dir;
    if (!dir) return;
    const folder = path.join(dir, runId);
    const file = await readRunFile(folder);
    if (!file) return;
    await writeFileAtomic(path.join(folder, RUN_FILE), JSON.stringify({ ...file, info })).catch(() => undefined);
  }

  /** Keeps the newest `maxStored` persisted runs; older run folders (ours: with run.json) go. */
  private async prune(): Promise<void> {
    const dir = this.options.dir;
    const max = this.options.maxStored ?? 200;
    if (!dir) return;
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
    } catch {
      return;
    }
    if (names.length <= max) return;
    const dated: { name: string; at: number }[] = [];
    for (const name of names) {
      try {
        const s = await stat(path.join(dir, name, RUN_FILE));
        dated.push({ name, at: s.mtimeMs });
      } catch {
        // Not a run folder: never removed.
      }
    }
    dated.sort((a, b) => a.at - b.at);
    for (const { name } of dated.slice(0, Math.max(0, dated.length - max))) {
      if (this.live.has(name)) continue;
      await rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

async function readRunFile(folder: string): Promise<RunFile | null> {
  try {
    const file = JSON.parse(await readFile(path.join(folder, RUN_FILE), 'utf8')) as RunFile;
    return file?.format === 'glasswing-run' && file.info?.runId ? file : null;
  } catch {
    return null;
  }
}

function emptyDataset(file: RunFile): RunRecord['dataset'] {
  const info = file.info;
  return {
    id: info.dataset.ref,
    name: info.dataset.name,
    kind: info.dataset.kind,
    task: info.dataset.task,
    x: new Float32Array(0),
    inputShape: info.inputShape,
    y: new Float32Array(0),
    classes: info.classes,
    count: 0,
    featureNames: [],
    fixedPreprocessing: null,
  };
}
