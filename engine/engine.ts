// The engine service: every contract request, implemented once. Hosts (the engine process,
// the CLI, tests) own an Engine and forward its events; it never imports electron.
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  ContractError,
  type AppInfo,
  type DatasetInfo,
  type EvaluationMetrics,
  type RegressionMetrics,
  type Events,
  type EpochRecord,
  type ModelSource,
  type RequestPayload,
  type ResponseOf,
  type TrainingEvent,
  type TrainingSettings,
} from '../common/ipc/contract';
import type { Handlers } from '../common/ipc/router';
import type { ModelTopology, SequentialTopology } from '../common/model/keras-format';
import { summarizeTopology } from '../common/model/summary';
import { adaptTemplate, getTemplate, listTemplates } from '../common/model/templates';
import { listBackends, useBackend, type ActiveBackend } from './backends';
import { BUILTIN_DATASETS } from './datasets/builtin';
import type { Dataset, Preprocessing } from './datasets/dataset';
import { loadDataset, type LoadOptions } from './datasets/load';
import { applyPreprocessing, prepareData, preprocessRawRows, type PreparedData } from './datasets/prepare';
import { buildModel, compileModel } from './model-builder';
import { saveModel, type GlasswingMetadata } from './model-io';
import { freshSeed } from './random';
import { evaluateClassifier, predictAll, TrainingRun } from './trainer';
import { regressionMetrics } from './metrics';
import { tf } from './backends';
import { openProject, recentProjects, saveProject } from './project/project-store';
import { BadInputError } from '../common/bad-input';
import { inspectHandlers } from './services/inspect-service';
import { tuningHandlers } from './services/tuning-service';
import { dataHandlers } from './services/data-service';
import { runHandlers } from './services/run-service';

export type EventSink = <E extends keyof Events>(event: E, payload: Events[E]) => void;

/** What startTraining checks of a model it is given: input and output shapes, parameters. */
function initialSummary(model: tfl.LayersModel): { errors: { layer: string; message: string }[]; inputShape: (number | null)[] | null; outputShape: (number | null)[] | null; totalParams: number } {
  return { errors: [], inputShape: model.inputs[0]!.shape, outputShape: model.outputs[0]!.shape, totalParams: model.countParams() };
}

export interface RunRecord {
  runId: string;
  model: tfl.LayersModel;
  run: TrainingRun | null;
  metadata: GlasswingMetadata;
  backend: ActiveBackend;
  history: EpochRecord[];
  test: EvaluationMetrics | null;
  regression?: RegressionMetrics | null;
  state: 'training' | 'finished' | 'failed';
  done: Promise<void>;
  prepared: PreparedData;
  /** The dataset as loaded (raw values: pixels 0–255, table values before scaling). */
  dataset: Dataset;
}

declare const GLASSWING_VERSION: string | undefined;
const VERSION = typeof GLASSWING_VERSION === 'string' ? GLASSWING_VERSION : '0.1.0';

/** Errors that describe the user's input pass through as they are; others become 'internal'. */
function asContractError(e: unknown): ContractError {
  if (e instanceof ContractError) return e;
  if (e instanceof BadInputError) return new ContractError('bad-input', e.message);
  const err = e as { code?: string; message?: string };
  if (err?.code === 'bad-input') return new ContractError('bad-input', String(err.message));
  if (err?.code === 'cancelled') return new ContractError('bad-input', String(err.message));
  return new ContractError('internal', e instanceof Error ? e.message : String(e));
}

export class Engine {
  private readonly runs = new Map<string, RunRecord>();
  private nextRun = 1;
  /** Training shares one TF.js engine, so runs take turns. */
  private queue: Promise<void> = Promise.resolve();

  /** Engine services that watch events before the host sees them (live inspection snapshots). */
  private readonly observers: EventSink[] = [];

  /** Sends an event to the observers, then to every listener of the host. */
  readonly emit: EventSink = (event, payload) => {
    for (const observe of this.observers) observe(event, payload);
    this.sink(event, payload);
  };

  /** Lets a service see every event first, synchronously (between batches and epochs). */
  observe(observer: EventSink): void {
    this.observers.push(observer);
  }

  constructor(
    private readonly sink: EventSink,
    private readonly host: AppInfo['host'] = 'memory',
    private readonly datasetOptions: LoadOptions = {},
  ) {}

  async resolveModel(source: ModelSource, dataset: Dataset | null): Promise<ModelTopology> {
    if ('template' in source) {
      const template = getTemplate(source.template);
      return dataset ? adaptTemplate(template, { inputShape: dataset.inputShape, task: dataset.task, outputs: dataset.task === 'classification' ? dataset.classes.length : 1 }) : template;
    }
    return source.topology;
  }

  async loadData(ref: string, labelColumn?: string, settings?: Partial<TrainingSettings>): Promise<Dataset> {
    return loadDataset(ref, {
      ...this.datasetOptions,
      labelColumn,
      ...(settings?.categorical ? { categorical: settings.categorical } : {}),
      ...(settings?.ignore ? { ignore: settings.ignore } : {}),
      ...(settings?.imageHeight ? { height: settings.imageHeight } : {}),
      ...(settings?.imageWidth ? { width: settings.imageWidth } : {}),
      ...(settings?.color ? { color: settings.color } : {}),
    });
  }

  /**
   * Starts a run and returns at once; progress arrives as events. `initial` fine-tunes a model the
   * host already holds (an imported .onnx/.keras/.h5) instead of building payload.model afresh:
   * training starts from its weights, and image data gets its preprocessing.
   */
  async startTraining(payload: RequestPayload<'training.start'>, initial?: { model: tfl.LayersModel; preprocessing?: Preprocessing }): Promise<RunRecord> {
    const settings: TrainingSettings = payload.settings;
    const seed = settings.seed ?? freshSeed();
    const loaded = await this.loadData(payload.dataset, settings.labelColumn, settings);
    const dataset = initial?.preprocessing?.kind === 'image' && loaded.fixedPreprocessing ? { ...loaded, fixedPreprocessing: initial.preprocessing } : loaded;
    // Split and fit preprocessing first: one-hot columns fitted on the training split decide the
    // model's input width.
    const prepared = prepareData(dataset, settings.validationSplit, settings.testSplit, seed);
    const dataShape = { ...dataset, inputShape: prepared.inputShape ?? dataset.inputShape };
    const topology = await this.resolveModel(payload.model, dataShape);
    const summary = initial ? initialSummary(initial.model) : summarizeTopology(topology);
    if (summary.errors.length) throw new ContractError('bad-input', summary.errors.map((e) => (e.layer ? `${e.layer}: ${e.message}` : e.message)).join(' '));
    const expected = summary.inputShape?.slice(1);
    if (expected && expected.join('x') !== dataShape.inputShape.join('x')) {
      throw new ContractError('bad-input', `The model expects inputs of shape (${expected.join(', ')}); ${dataset.name} has examples of shape (${dataShape.inputShape.join(', ')}).`);
    }
    const outUnits = summary.outputShape?.[summary.outputShape.length - 1];
    if (dataset.task === 'classification' && outUnits !== dataset.classes.length) {
      throw new ContractError('bad-input', `The model's last layer has ${outUnits} units; ${dataset.name} has ${dataset.classes.length} classes.`);
    }
    if (prepared.train.count === 0) throw new ContractError('bad-input', `${dataset.name} leaves no examples for training after the validation and test splits.`);
    const runId = `run-${Date.now().toString(36)}-${this.nextRun++}`;
    const metadata: GlasswingMetadata = {
      formatVersion: 1,
      task: dataset.task,
      classes: dataset.classes,
      inputShape: dataShape.inputShape,
      preprocessing: prepared.preprocessing,
      dataset: payload.dataset,
    };
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const previous = this.queue;
    this.queue = previous.then(() => done);
    await previous;
    let backend: ActiveBackend;
    let model: tfl.LayersModel;
    try {
      backend = await useBackend(settings.backend);
      model = initial ? initial.model : await buildModel(topology, seed);
      compileModel(model, dataset.task, settings.optimizer, settings.learningRate);
    } catch (e) {
      resolveDone();
      throw asContractError(e);
    }
    const record: RunRecord = { runId, model, run: null, metadata, backend, history: [], test: null, state: 'training', done, prepared, dataset };
    const onEvent = (event: TrainingEvent) => this.emit('training.event', event);
    record.run = new TrainingRun(model, prepared.train, prepared.validation, {
      runId,
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      seed,
      task: dataset.task,
      classes: dataset.classes,
      inputShape: dataShape.inputShape,
      onEvent,
      ...(settings.augment ? { augment: settings.augment } : {}),
      callbacks: {
        ...(settings.earlyStopping ? { earlyStopping: settings.earlyStopping } : {}),
        ...(settings.reduceLrOnPlateau ? { reduceLrOnPlateau: settings.reduceLrOnPlateau } : {}),
        ...(settings.keepBest ? { keepBest: settings.keepBest } : {}),
      },
    });
    this.runs.set(runId, record);
    onEvent({
      type: 'started',
      runId,
      backend: backend.name,
      device: backend.device,
      epochs: settings.epochs,
      batchesPerEpoch: Math.ceil(prepared.train.count / settings.batchSize),
      trainExamples: prepared.train.count,
      valExamples: prepared.validation.count,
      testExamples: prepared.test.count,
      totalParams: summary.totalParams,
    });
    void (async () => {
      try {
        const result = await record.run!.run();
        record.history = result.history;
        if (dataset.task === 'classification' && prepared.test.count > 0) {
          record.test = evaluateClassifier(model, prepared.test, dataShape.inputShape, dataset.classes);
        }
        const regression =
          dataset.task === 'regression' && prepared.test.count > 0 ? regressionMetrics(prepared.test.y, predictAll(model, prepared.test, dataShape.inputShape)) : null;
        record.regression = regression;
        record.state = 'finished';
        onEvent({
          type: 'finished',
          runId,
          stopped: result.stopped,
          ...(result.stopReason ? { stopReason: result.stopReason } : {}),
          ...(result.restoredEpoch !== undefined ? { restoredEpoch: result.restoredEpoch } : {}),
          history: result.history,
          test: record.test,
          regression,
          backend: backend.name,
        });
      } catch (e) {
        record.state = 'failed';
        onEvent({ type: 'failed', runId, message: (e as Error).message });
      } finally {
        resolveDone();
      }
    })();
    return record;
  }

  /**
   * Runs `job` alone on the TF.js engine: after every queued training run, and before any that
   * start later (tuning, long inspections). Training runs queue the same way.
   */
  async exclusive<T>(job: () => Promise<T>): Promise<T> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = previous.then(() => new Promise<void>((r) => (release = r)));
    await previous;
    try {
      return await job();
    } finally {
      release();
    }
  }

  /** Every run of this engine session, newest last. */
  listRuns(): RunRecord[] {
    return [...this.runs.values()];
  }

  getRun(runId: string): RunRecord {
    const r = this.runs.get(runId);
    if (!r) throw new ContractError('not-found', `There is no training run "${runId}".`);
    return r;
  }

  async saveRun(runId: string, dir: string): Promise<void> {
    const r = this.getRun(runId);
    await saveModel(r.model, dir, r.metadata);
  }

  /** Raw inputs in, class probabilities out: the model's own preprocessing is applied. */
  predictRaw(model: tfl.LayersModel, metadata: GlasswingMetadata, inputs: (number | string | null)[][]): ResponseOf<'model.predict'> {
    const p = metadata.preprocessing as Preprocessing;
    // Tables with categorical columns take one raw value per column and are one-hot encoded here.
    const columns = p.kind === 'table' && p.columns ? p.columns.length : metadata.inputShape.reduce((a, b) => a * b, 1);
    inputs.forEach((row, i) => {
      if (row.length !== columns) {
        throw new ContractError('bad-input', `Input ${i + 1} has ${row.length} value${row.length === 1 ? '' : 's'}; the model expects ${columns}${p.kind === 'table' && p.columns ? ` (${p.columns.map((c) => c.name).join(', ')})` : ` (shape ${metadata.inputShape.join('×')})`}.`);
      }
    });
    let x: Float32Array;
    if (p.kind === 'table') x = preprocessRawRows(inputs, p);
    else {
      const bad = inputs.flat().findIndex((v) => typeof v !== 'number');
      if (bad >= 0) throw new ContractError('bad-input', `Image inputs must be numbers (pixels 0–255); value ${bad + 1} is not.`);
      x = applyPreprocessing(Float32Array.from(inputs.flat() as number[]), p);
    }
    const probs = tf.tidy(() => (model.predict(tf.tensor(x, [inputs.length, ...metadata.inputShape])) as tf.Tensor).arraySync() as number[][]);
    return {
      classes: metadata.classes,
      probabilities: probs,
      predicted: probs.map((p) => (p.length === 1 ? p[0]! : p.indexOf(Math.max(...p)))),
    };
  }

  readonly handlers: Handlers = {
    ...inspectHandlers(this),
    ...tuningHandlers(this),
    ...dataHandlers(this),
    ...runHandlers(this),
    'app.info': async () => ({ name: 'Glasswing', version: VERSION, host: this.host, enginePid: process.pid, backends: listBackends() }),
    'templates.list': async () => listTemplates(),
    'datasets.list': async (): Promise<DatasetInfo[]> => BUILTIN_DATASETS,
    'model.summary': async (p) => {
      try {
        const dataset = p.dataset ? await this.loadData(p.dataset, p.labelColumn) : null;
        const topology = await this.resolveModel(p.model, dataset);
        return { ...summarizeTopology(topology), topology };
      } catch (e) {
        throw asContractError(e);
      }
    },
    'training.start': async (p) => {
      try {
        return { runId: (await this.startTraining(p)).runId };
      } catch (e) {
        throw asContractError(e);
      }
    },
    'training.pause': async ({ runId }) => {
      this.getRun(runId).run?.pause();
      return { ok: true };
    },
    'training.resume': async ({ runId }) => {
      this.getRun(runId).run?.resume();
      return { ok: true };
    },
    'training.stop': async ({ runId }) => {
      this.getRun(runId).run?.stop();
      return { ok: true };
    },
    'project.save': async ({ path, project }) => {
      try {
        return await saveProject(path, project);
      } catch (e) {
        throw asContractError(e);
      }
    },
    'project.open': async ({ path }) => {
      try {
        return await openProject(path);
      } catch (e) {
        throw asContractError(e);
      }
    },
    'project.recent': async () => recentProjects(),
    'model.predict': async ({ runId, inputs }) => {
      const r = this.getRun(runId);
      if (r.state === 'training') await r.done;
      return this.predictRaw(r.model, r.metadata, inputs);
    },
  };
}

export type { SequentialTopology };
