// Workbench state: what the engine offers (backends, templates, datasets), the current choice of
// model and data, and the model summary for that choice. The only caller of the backend for them.
import { BUILTIN_DATASET_IDS, DATA_READING_KEYS, TRAINING_DEFAULTS, TRAINING_SUGGESTIONS, type AppInfo, type DatasetInfo, type ModelSource, type TrainingSettings } from '../../../common/ipc/contract';
import type { TemplateInfo } from '../../../common/model/templates';
import { backend } from '../lib/backend';
import { adaptTemplate } from '../../../common/model/templates';
import { fitModelToData } from '../../../common/model/fit-to-data';
import { graphState, type ModelFile } from './graph.svelte';

/** The engine's model source for an opened file, with the person's overrides. */
function fileSource(f: ModelFile): ModelSource {
  return { file: f.path, ...(f.preprocess ? { preprocess: f.preprocess } : {}), ...(f.classesFile ? { classesFile: f.classesFile } : {}) };
}


export class Workbench {
  info = $state<AppInfo | null>(null);
  templates = $state<TemplateInfo[]>([]);
  datasets = $state<DatasetInfo[]>([]);
  templateId = $state('iris-mlp');
  datasetId = $state('iris');
  settings = $state<TrainingSettings>({ ...TRAINING_DEFAULTS, ...TRAINING_SUGGESTIONS['iris'] });
  summaryError = $state<string | null>(null);
  /** A template is being fetched and fitted: training waits for it. */
  loadingModel = $state(false);
  loadError = $state<string | null>(null);

  /** The data an opened project (or continued work) trains on, when it could not be read: why, until other data is chosen. */
  missingData = $state<{ ref: string; problem: string } | null>(null);

  get dataset(): DatasetInfo | undefined {
    return this.datasets.find((d) => d.id === this.datasetId);
  }

  get template(): TemplateInfo | undefined {
    return this.templates.find((t) => t.id === this.templateId);
  }

  /** What the model is called in the runs table and every run picker. */
  get modelName(): string {
    if (graphState.fromFile) return graphState.fromFile.name;
    const t = graphState.fromTemplate ? this.templates.find((x) => x.id === graphState.fromTemplate) : undefined;
    return t?.name ?? 'Your model';
  }

  /** What a run trains: the opened model file (from its weights) while the canvas still equals it, else the canvas. */
  modelSource(): ModelSource {
    const f = graphState.fromFile;
    return f ? fileSource(f) : { topology: graphState.topology() };
  }

  /** Why the last model file could not be opened (cleared by the next success). */
  modelFileError = $state<string | null>(null);

  /** What the import of the opened model file assumed (preprocessing, classes) and its conversion check. */
  modelFileNotes = $state<string[]>([]);

  /** Opens a model file (ONNX, .keras, .h5, TF.js) on the canvas; runs then fine-tune its weights. */
  async openModelFile(path: string, name: string): Promise<boolean> {
    this.loadingModel = true;
    try {
      const s = await backend.invoke('model.summary', { model: { file: path } });
      if (!s.topology) throw new Error(`${name} has no layers Glasswing can show.`);
      graphState.loadFile(s.topology, { path, name });
      this.modelFileNotes = s.notes ?? [];
      this.modelFileError = null;
      this.fitNotice = null;
      return true;
    } catch (e) {
      this.modelFileError = `${name}: ${(e as Error).message}`;
      return false;
    } finally {
      this.loadingModel = false;
    }
  }

  /**
   * Changes how the opened model file's images are scaled, or its class names, and re-reads it
   * (the engine checks the classes file against the model's outputs). The canvas stays as it is.
   */
  async setModelFileOptions(change: Partial<Pick<ModelFile, 'preprocess' | 'classesFile' | 'classesName'>>): Promise<void> {
    const current = graphState.fromFile;
    if (!current) return;
    const next: ModelFile = { ...current, ...change };
    for (const k of ['preprocess', 'classesFile', 'classesName'] as const) if (next[k] === undefined) delete next[k];
    this.loadingModel = true;
    try {
      const s = await backend.invoke('model.summary', { model: fileSource(next) });
      graphState.fromFile = next;
      this.modelFileNotes = s.notes ?? [];
      this.modelFileError = null;
    } catch (e) {
      this.modelFileError = `${current.name}: ${(e as Error).message}`;
    } finally {
      this.loadingModel = false;
    }
  }

  /** Templates that fit the chosen dataset's kind of data. */
  get compatibleTemplates(): TemplateInfo[] {
    const kind = this.dataset?.kind;
    return this.templates.filter((t) => !kind || t.dataKind === kind || (kind === 'images' && t.dataKind === 'table'));
  }

  /** The backends on offer change when a page's compute worker connects or leaves. */
  async refreshInfo(): Promise<void> {
    try {
      this.info = await backend.invoke('app.info', {});
    } catch {
      /* the next change or reload tries again */
    }
  }

  async load(): Promise<void> {
    backend.on('device.changed', () => void this.refreshInfo());
    try {
      const [info, templates, datasets] = await Promise.all([
        backend.invoke('app.info', {}),
        backend.invoke('templates.list', {}),
        backend.invoke('datasets.list', {}),
      ]);
      this.info = info;
      this.templates = templates;
      this.datasets = datasets;
      this.loadError = null;
      await this.refreshSummary();
    } catch (e) {
      this.loadError = (e as Error).message;
    }
  }

  /** Adds an imported dataset (a file or folder) to the choices and selects it with its reading options. */
  async useDataset(info: DatasetInfo, options: Partial<TrainingSettings>): Promise<void> {
    this.datasets = [...this.datasets.filter((d) => d.id !== info.id), info];
    await this.chooseDataset(info.id);
    for (const key of DATA_READING_KEYS) {
      if (options[key] === undefined) delete this.settings[key];
      else (this.settings as Record<string, unknown>)[key] = options[key];
    }
  }

  async chooseDataset(id: string): Promise<void> {
    this.datasetId = id;
    this.missingData = null;
    const ds = this.dataset;
    Object.assign(this.settings, TRAINING_SUGGESTIONS[id] ?? TRAINING_SUGGESTIONS[ds?.kind === 'images' ? 'images' : 'table']);
    // Built-in samples need no reading options.
    if (BUILTIN_DATASET_IDS.includes(id)) for (const key of DATA_READING_KEYS) delete this.settings[key];
    // A model still equal to its template follows the data; "Your model" is fitted when that is
    // safe (same kind of input, a Dense output), and otherwise left as it is — the Build and
    // Train views then say what to change.
    // A model file keeps its weights: the engine reads images at its input size, and the Train view
    // says when its classes do not match (transfer learning puts a new head on it).
    if (graphState.fromFile) return;
    if (graphState.fromTemplate || graphState.graph.layers.length === 0) {
      const current = this.templates.find((t) => t.id === (graphState.fromTemplate ?? this.templateId));
      const id2 = current && ds && current.dataKind === ds.kind ? current.id : (this.templates.find((t) => t.dataKind === ds?.kind)?.id ?? this.templateId);
      await this.chooseTemplate(id2);
    } else if (ds) {
      const fit = fitModelToData(graphState.topology(), { inputShape: ds.inputShape, task: ds.task ?? 'classification', outputs: ds.task === 'regression' ? 1 : ds.classes.length }, ds.name);
      this.fitNotice = null;
      if (!fit.ok && fit.fitted) {
        graphState.loadTopology(fit.fitted, graphState.layout, null);
        this.fitNotice = `Your model was fitted to ${ds.name}: ${fit.change}. Undo (Ctrl+Z) in the Build view to go back.`;
      }
    }
  }

  /** What happened to "Your model" when the data changed (shown once, until the next change). */
  fitNotice = $state<string | null>(null);

  /** Loads a template into the builder, fitted to the chosen dataset (one undoable edit). */
  async chooseTemplate(id: string): Promise<void> {
    this.templateId = id;
    this.loadingModel = true;
    try {
      const s = await backend.invoke('model.summary', { model: { template: id } });
      const ds = this.dataset;
      const topology = s.topology && ds
        ? adaptTemplate(s.topology, { inputShape: ds.inputShape, task: ds.task ?? 'classification', outputs: ds.task === 'regression' ? 1 : ds.classes.length })
        : s.topology;
      if (topology && graphState.graph.layers.length === 0 && !graphState.dirty) {
        graphState.reset(topology, null);
        graphState.fromTemplate = id;
      } else if (topology) graphState.loadTopology(topology, null, id);
      this.summaryError = null;
    } catch (e) {
      this.summaryError = (e as Error).message;
    } finally {
      this.loadingModel = false;
    }
    this.fitNotice = null;
  }

  async refreshSummary(): Promise<void> {
    await this.chooseTemplate(this.templateId);
  }
}

export const workbench = new Workbench();
