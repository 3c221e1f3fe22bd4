// The training domain: a run is checked (data, model, shapes) when it is asked for, answers at
// once with its id, waits its turn in the scheduler (saying so with a 'queued' event), trains,
// is evaluated on its test split, and is persisted as soon as it ends.
import type { Handlers } from '../../common/ipc/router';
import type { RequestPayload, RunInfo, TrainingEvent, TrainingSettings } from '../../common/ipc/contract';
import { summarizeTopology } from '../../common/model/summary';
import { BadInputError, CancelledError } from '../../common/bad-input';
import { trainingErrorMessage } from './out-of-memory';
import { useBackend, type ActiveBackend } from '../backends';
import { buildModel, compileModel } from '../../compute/model-builder';
import type { GlasswingMetadata } from '../model-io';
import { freshSeed } from '../../compute/random';
import { predictAll, TrainingRun } from '../../compute/training-loop';
import { classificationMetrics, regressionMetrics } from '../../compute/metrics';
import { placeRun } from '../compute/placement';
import { startRemoteRun } from '../compute/remote-run';
import type { RemoteTrainingRun } from '../compute/remote-training-run';
import type { EngineContext } from '../core/context';
import { readingOptions } from '../core/data-cache';
import { RunRecord } from '../core/run-record';
import { loadModelFile, modelSourceName, resolveModel, type LoadedSource } from './model-source';
import { summarizeLayersModel } from '../import';
import type * as tfl from '@tensorflow/tfjs-layers';

/** How to read images for a model file: at its input size and colour (unless the settings say otherwise). */
function imageReadingFor(file: LoadedSource): Partial<TrainingSettings> {
  const shape = file.metadata?.inputShape ?? [];
  if (shape.length !== 3) return {};
  return { imageHeight: shape[0], imageWidth: shape[1], color: shape[2] === 3 ? 'rgb' : 'grayscale' };
}

export type TrainingHandlers = Pick<Handlers, 'training.start' | 'training.pause' | 'training.resume' | 'training.stop' | 'runs.list' | 'runs.rename'>;

export interface TrainingService {
  handlers: TrainingHandlers;
  /** Checks and queues a run; returns its record at once (training follows). */
  start(payload: RequestPayload<'training.start'>): Promise<RunRecord>;
}

let nextRun = 1;

export function trainingService(ctx: EngineContext): TrainingService {
  /** Models loaded from files, waiting for their run to start. */
  const initialModels = new WeakMap<RunRecord, tfl.LayersModel>();
  /** Pause/stop asked for before a queued run started: applied when it starts. */
  const control = new Map<string, { paused: boolean; cancel: () => boolean }>();

  const emit = (event: TrainingEvent) => ctx.bus.emit('training.event', event);

  async function start(payload: RequestPayload<'training.start'>): Promise<RunRecord> {
    const settings: TrainingSettings = payload.settings;
    const seed = settings.seed ?? freshSeed();
    // A model file is fine-tuned: its inputs are sized and scaled as it was trained (images), or
    // encoded and scaled as it was trained (tables: a Glasswing model's fitted standardisation, an
    // imported model's inputs as given), not refitted on this data.
    const file = 'file' in payload.model ? await loadModelFile(payload.model, ctx.places) : null;
    const reading = readingOptions(file ? { ...imageReadingFor(file), ...settings } : settings);
    let dataset = await ctx.data.load(payload.dataset, reading);
    const kept = file?.metadata?.preprocessing ?? null;
    const filePreprocessing = kept && (kept.kind === 'image' ? dataset.fixedPreprocessing !== null : dataset.fixedPreprocessing === null && dataset.task === file!.metadata!.task) ? kept : null;
    if (filePreprocessing) dataset = { ...dataset, fixedPreprocessing: filePreprocessing };
    const split = { validation: settings.validationSplit, test: settings.testSplit, seed };
    // Split and fit preprocessing first: one-hot columns fitted on the training split decide the
    // model's input width.
    const lease = ctx.data.lease(payload.dataset, reading, dataset, split, filePreprocessing ? JSON.stringify(filePreprocessing) : '');
    let record: RunRecord;
    try {
      const prepared = lease.prepared;
      const inputShape = prepared.inputShape ?? dataset.inputShape;
      const topology = file ? file.topology : await resolveModel(payload.model, { ...dataset, inputShape });
      const summary = file ? summarizeLayersModel(file.model) : summarizeTopology(topology);
      if (summary.errors.length) throw new BadInputError(summary.errors.map((e) => (e.layer ? `${e.layer}: ${e.message}` : e.message)).join(' '));
      const expected = summary.inputShape?.slice(1);
      if (expected && expected.join('x') !== inputShape.join('x')) {
        throw new BadInputError(`The model expects inputs of shape (${expected.join(', ')}); ${dataset.name} has examples of shape (${inputShape.join(', ')}). Fit the model to this data in the Build view.`);
      }
      const outUnits = summary.outputShape?.[summary.outputShape.length - 1];
      if (dataset.task === 'classification' && outUnits !== dataset.classes.length) {
        throw new BadInputError(`The model's last layer has ${outUnits} units; ${dataset.name} has ${dataset.classes.length} classes. Fit the model to this data in the Build view.`);
      }
      if (dataset.task === 'regression' && outUnits !== 1) {
        throw new BadInputError(`The model's last layer has ${outUnits} units; predicting one number (${dataset.name} is a regression) needs 1. Fit the model to this data in the Build view.`);
      }
      if (prepared.train.count === 0) throw new BadInputError(`${dataset.name} leaves no examples for training after the validation and test splits.`);
      const runId = `run-${Date.now().toString(36)}-${nextRun++}`;
      const metadata: GlasswingMetadata = {
        formatVersion: 1,
        task: dataset.task,
        classes: dataset.classes,
        inputShape,
        preprocessing: prepared.preprocessing,
        dataset: payload.dataset,
      };
      const info: RunInfo = {
        runId,
        name: payload.name ?? ctx.runs.nextName(),
        createdAt: new Date().toISOString(),
        state: 'queued',
        dataset: { ref: payload.dataset, name: dataset.name, kind: dataset.kind, task: dataset.task },
        model: { name: modelSourceName(payload.model, payload.modelName), totalParams: summary.totalParams },
        settings: { ...settings, seed },
        backend: null,
        epochs: 0,
        classes: dataset.classes,
        inputShape,
        testAccuracy: null,
        testCount: prepared.test.count,
        stopped: false,
        message: null,
        notes: file?.notes ?? [],
      };
      record = new RunRecord(info, metadata, topology, { ...settings, seed }, reading, split, dataset, prepared);
      record.release = lease.release;
      if (file) initialModels.set(record, file.model);
    } catch (e) {
      lease.release();
      file?.model.dispose();
      throw e;
    }
    ctx.runs.add(record);
    const job = ctx.scheduler.enqueue(() => train(record));
    record.queuePosition = job.position;
    control.set(record.runId, { paused: false, cancel: () => job.cancel('Stopped before it started.') });
    if (job.position > 0) emit({ type: 'queued', runId: record.runId, position: job.position, info: record.info });
    job.result
      .catch((e: unknown) => {
        if (!(e instanceof CancelledError)) throw e;
      })
      .finally(() => control.delete(record.runId))
      .catch(() => undefined);
    return record;
  }

  async function train(record: RunRecord): Promise<void> {
    const { runId } = record;
    const settings = record.settings;
    const prepared = record.prepared;
    try {
      const requested = settings.backend;
      const { task, classes, inputShape } = record.metadata;
      // The engine's own backend first: the model is built (seeded) and kept here in every case.
      await useBackend(requested === 'webgpu' || requested === 'webgl' ? 'auto' : requested);
      const model = initialModels.get(record) ?? (await buildModel(record.topology, settings.seed!));
      initialModels.delete(record);
      compileModel(model, task, settings.optimizer, settings.learningRate);
      const placement = await placeRun(requested, { model, inputShape, task, classes: classes.length, batchSize: settings.batchSize }, ctx.compute);
      const backend: ActiveBackend = placement.where === 'engine' ? placement.backend : { name: placement.backend, device: placement.device, reason: placement.reason };
      record.begin(model, backend);
      ctx.runs.update(record);
      const onEvent = (e: TrainingEvent) => {
        if (e.type === 'epoch') record.info = { ...record.info, epochs: e.epoch };
        emit(e);
      };
      const callbacks = {
        ...(settings.earlyStopping ? { earlyStopping: settings.earlyStopping } : {}),
        ...(settings.reduceLrOnPlateau ? { reduceLrOnPlateau: settings.reduceLrOnPlateau } : {}),
        ...(settings.keepBest ? { keepBest: settings.keepBest } : {}),
      };
      const startPaused = !!control.get(runId)?.paused;
      let remote: RemoteTrainingRun | null = null;
      if (placement.where === 'worker') {
        remote = await startRemoteRun(ctx.compute, model, prepared, {
          runId,
          backend: placement.backend,
          optimizer: settings.optimizer,
          learningRate: settings.learningRate,
          task,
          classes,
          inputShape,
          epochs: settings.epochs,
          batchSize: settings.batchSize,
          seed: settings.seed!,
          callbacks,
          ...(settings.augment ? { augment: settings.augment } : {}),
          startPaused,
          onEvent,
        });
        record.run = remote;
      } else {
        record.run = new TrainingRun(model, prepared.train, prepared.validation, {
          runId,
          epochs: settings.epochs,
          batchSize: settings.batchSize,
          seed: settings.seed!,
          task,
          classes,
          inputShape,
          onEvent,
          ...(settings.augment ? { augment: settings.augment } : {}),
          callbacks,
        });
      }
      emit({
        type: 'started',
        runId,
        backend: backend.name,
        device: backend.device,
        reason: backend.reason || 'you chose it',
        epochs: settings.epochs,
        batchesPerEpoch: Math.ceil(prepared.train.count / settings.batchSize),
        trainExamples: prepared.train.count,
        valExamples: prepared.validation.count,
        testExamples: prepared.test.count,
        totalParams: record.info.model.totalParams,
        info: record.info,
      });
      if (startPaused && !remote) record.run.pause();
      const result = await record.run.run();
      record.history = result.history;
      if (result.stopReason) record.stopReason = result.stopReason;
      if (result.restoredEpoch !== undefined) record.restoredEpoch = result.restoredEpoch;
      if (prepared.test.count > 0) {
        // A GPU run's worker predicted the test split; otherwise (or when the page closed first) the engine does.
        const predicted = remote?.predictions?.length === prepared.test.count ? remote.predictions : await predictAll(model, prepared.test, inputShape);
        if (task === 'classification') record.test = classificationMetrics(Array.from(prepared.test.y), Array.from(predicted), classes);
        else record.regression = regressionMetrics(prepared.test.y, predicted);
      }
      record.info = { ...record.info, stopped: result.stopped, testAccuracy: record.test?.accuracy ?? null };
      record.end('finished');
      ctx.runs.update(record);
      await persist(record);
      emit({
        type: 'finished',
        runId,
        stopped: result.stopped,
        ...(result.stopReason ? { stopReason: result.stopReason } : {}),
        ...(result.restoredEpoch !== undefined ? { restoredEpoch: result.restoredEpoch } : {}),
        history: result.history,
        test: record.test,
        regression: record.regression,
        backend: backend.name,
        info: record.info,
        topology: record.topology,
      });
    } catch (e) {
      if (record.run) record.history = record.run.history;
      const message = trainingErrorMessage(e);
      record.end('failed', message);
      ctx.runs.update(record);
      await persist(record);
      emit({ type: 'failed', runId, message, info: record.info });
    } finally {
      record.close();
    }
  }

  /** A run that cannot be written to disk still ends; it is only not kept past this engine. */
  async function persist(record: RunRecord): Promise<void> {
    try {
      await ctx.runs.persist(record);
    } catch (e) {
      process.stderr.write(`glasswing: could not store ${record.runId}: ${(e as Error).message}\n`);
    }
  }

  /** Stops a run: cancels it while it is queued, or ends it after the current batch. */
  async function stop(runId: string): Promise<void> {
    const record = await ctx.runs.get(runId);
    if (record.state === 'queued' && control.get(runId)?.cancel()) {
      record.end('failed', 'Stopped before it started.');
      ctx.runs.update(record);
      await persist(record);
      emit({ type: 'failed', runId, message: 'Stopped before it started.', info: record.info });
      record.close();
      return;
    }
    record.run?.stop();
  }

  const handlers: TrainingHandlers = {
    'training.start': async (p) => {
      const record = await start(p);
      return { runId: record.runId, state: record.queuePosition > 0 ? 'queued' : 'training', position: record.queuePosition, info: record.info };
    },
    'training.pause': async ({ runId }) => {
      const record = await ctx.runs.get(runId);
      const c = control.get(runId);
      if (record.state === 'queued' && c) {
        c.paused = true;
        emit({ type: 'paused', runId });
      } else record.run?.pause();
      return { ok: true };
    },
    'training.resume': async ({ runId }) => {
      const record = await ctx.runs.get(runId);
      const c = control.get(runId);
      if (record.state === 'queued' && c?.paused) {
        c.paused = false;
        emit({ type: 'resumed', runId });
      } else record.run?.resume();
      return { ok: true };
    },
    'training.stop': async ({ runId }) => {
      await stop(runId);
      return { ok: true };
    },
    'runs.list': async () => ({ runs: await ctx.runs.list() }),
    'runs.rename': async ({ runId, name }) => ctx.runs.rename(runId, name.trim() || runId),
  };

  return { handlers, start };
}
