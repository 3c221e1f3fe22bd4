// The open project: where it lives on disk, saving (atomically, by the engine) and opening, and
// the guard against losing unsaved work.
import { PROJECT_FORMAT, PROJECT_VERSION, type ProjectFile } from '../../../common/project/project-file';
import { backend } from '../lib/backend';
import { graphState } from './graph.svelte';
import { workbench } from './workbench.svelte';
import { runs } from './runs.svelte';
import { training } from './training.svelte';
import { data } from './data.svelte';
import { workspace } from './workspace.svelte';
import { trainingSettingsSchema, type TrainingSettings } from '../../../common/ipc/contract';

export class ProjectState {
  path = $state<string | null>(null);
  name = $state('Untitled');
  message = $state<{ kind: 'ok' | 'error'; text: string } | null>(null);
  recent = $state<{ path: string; name: string; savedAt: string }[]>([]);
  directory = $state('');

  toFile(name: string): ProjectFile {
    return {
      format: PROJECT_FORMAT,
      version: PROJECT_VERSION,
      name,
      savedAt: '',
      model: graphState.topology(),
      layout: $state.snapshot(graphState.layout),
      dataset: { ref: workbench.datasetId },
      ...(graphState.fromFile ? { modelFile: { ...graphState.fromFile } } : {}),
      ...(graphState.fromTemplate ? { template: graphState.fromTemplate } : {}),
      training: { ...$state.snapshot(workbench.settings) },
      runs: runs.runs,
    };
  }

  /** True when there is nothing unsaved, or the person agrees to discard it. */
  confirmDiscard(): boolean {
    const lost = unsavedWork();
    return !lost.length || confirm(`This page has ${lost.join(' and ')}. Continue without saving?`);
  }

  async save(): Promise<boolean> {
    if (!this.path) return false;
    return this.saveAs(this.path);
  }

  /** Saves to `path`; `confirmed` when a person already agreed to replace what is there (a native save dialog asked). */
  async saveAs(path: string, confirmed = false): Promise<boolean> {
    const name = path.split(/[\\/]/).pop()!.replace(/\.glasswing\.json$/, '').replace(/\.json$/, '');
    try {
      const file = this.toFile(name);
      const r = await backend.invoke('project.save', { path, project: file, ...(confirmed ? { overwrite: true } : {}) });
      this.path = r.path;
      this.name = name;
      graphState.dirty = false;
      runs.unsaved = 0;
      this.message = { kind: 'ok', text: `Saved ${r.path}` };
      await this.loadRecent();
      return true;
    } catch (e) {
      this.message = { kind: 'error', text: (e as Error).message };
      return false;
    }
  }

  async open(path: string): Promise<boolean> {
    if (!this.confirmDiscard()) return false;
    try {
      const r = await backend.invoke('project.open', { path });
      const restored = await this.apply(r.project);
      this.path = r.path;
      this.name = r.project.name;
      this.message = restoredMessage(`Opened ${r.path}`, restored);
      await this.loadRecent();
      return true;
    } catch (e) {
      // A damaged or newer file changes nothing that is open.
      this.message = { kind: 'error', text: (e as Error).message };
      return false;
    }
  }

  /**
   * Puts a project's model, data, settings and runs in front of the person (opening a file,
   * continuing kept work). Returns what could not be restored: why its data could not be read,
   * and the training settings that were not valid (left as the page had them).
   */
  async apply(file: ProjectFile): Promise<Restored> {
    graphState.reset(file.model, file.layout);
    // A model still equal to a template is named after it and follows the data as before.
    if (file.template && workbench.templates.some((t) => t.id === file.template)) {
      graphState.fromTemplate = file.template;
      workbench.templateId = file.template;
    }
    workbench.fitNotice = null;
    graphState.fromFile = file.modelFile ?? null;
    workbench.modelFileNotes = [];
    // Re-reads the model file: its notes come back, and a file moved since says so in the Build view.
    if (graphState.fromFile) void workbench.setModelFileOptions({});
    // The project's data, read as it was (a file or folder is read again: its preview shows in the Data view).
    const { settings, ignored } = validSettings(file.training);
    const ref = file.dataset?.ref;
    const dataProblem = ref ? await data.reopen(ref, settings) : null;
    Object.assign(workbench.settings, settings);
    runs.load(file.runs);
    // The views show the latest run of this data and model, as they did when it finished.
    workspace.selectLatestInScope();
    return { dataProblem, ignored };
  }

  newProject(): void {
    if (!this.confirmDiscard()) return;
    graphState.reset(null, null);
    workbench.fitNotice = null;
    // A project's missing data is not carried into a new one: it starts on a built-in sample.
    if (workbench.missingData) void workbench.chooseDataset('iris');
    runs.load([]);
    this.path = null;
    this.name = 'Untitled';
    this.message = null;
  }

  async loadRecent(): Promise<void> {
    try {
      const r = await backend.invoke('project.recent', {});
      this.recent = r.recent;
      this.directory = r.directory;
    } catch {
      /* the list is a convenience */
    }
  }
}

export const project = new ProjectState();

/** What opening a project or continuing kept work could not restore. */
export interface Restored {
  dataProblem: string | null;
  ignored: string[];
}

/** "Opened …" with what could not be restored, as the project bar shows it. */
export function restoredMessage(done: string, r: Restored): { kind: 'ok' | 'error'; text: string } {
  const parts = [r.dataProblem ? `${done}, but its data could not be read: ${r.dataProblem} Choose the data again in the Data view.` : `${done}.`];
  if (r.ignored.length) parts.push(`Training settings that were not valid were left as they were: ${r.ignored.join(', ')}.`);
  return { kind: r.dataProblem || r.ignored.length ? 'error' : 'ok', text: parts.join(' ') };
}

/**
 * A project's training settings, each checked as training.start checks it: a hand-edited or damaged
 * file's invalid ones (epochs "abc") are left out and named, instead of failing the next run.
 */
function validSettings(raw: Record<string, unknown>): { settings: Partial<TrainingSettings>; ignored: string[] } {
  const shape = trainingSettingsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  const settings: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (shape[key]?.safeParse(value).success) settings[key] = value;
    else ignored.push(key.slice(0, 60));
  }
  return { settings: settings as Partial<TrainingSettings>, ignored };
}

/**
 * What New or Open would discard, as phrases ([] when nothing): model edits, finished runs not yet
 * in a saved project (the engine keeps their files, but the page no longer lists them), a run still
 * training here (it goes on in the engine; this page lists it when it finishes). The same work is
 * kept for a reload or the next page while the page lives (recovery.svelte.ts).
 */
export function unsavedWork(): string[] {
  const parts: string[] = [];
  if (graphState.dirty) parts.push('unsaved changes to the model');
  if (runs.unsaved > 0) parts.push(runs.unsaved === 1 ? 'a finished run not saved in a project' : `${runs.unsaved} finished runs not saved in a project`);
  if (training.running) parts.push('a run that is still training');
  return parts;
}
