// Hyperparameter search over a Glasswing model: each trial builds the model with the sampled
// configuration, trains it with the engine's TrainingRun on a fixed split, reports the validation
// objective per epoch to the pruner, and stops early when the pruner says so.
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TRAINING_DEFAULTS, type EpochRecord, type OptimizerName, type TrainingSettings } from '../../common/ipc/contract';
import type { ModelTopology } from '../../common/model/keras-format';
import { summarizeTopology } from '../../common/model/summary';
import { adaptTemplate, getTemplate } from '../../common/model/templates';
import { useBackend, type ActiveBackend } from '../backends';
import type { Dataset } from '../datasets/dataset';
import { loadDataset, type LoadOptions } from '../datasets/load';
import { prepareData, type PreparedData } from '../datasets/prepare';
import { buildModel, compileModel } from '../../compute/model-builder';
import type { GlasswingMetadata } from '../model-io';
import { TrainingRun, type RunControl, type TrainOptions } from '../../compute/training-loop';
import { applyParams, checkSpace, defaultSpace } from './apply';
import type { Pruner } from './pruners';
import type { Sampler } from './samplers';
import type { Params, SearchSpace } from './space';
import { createStudy, openStudy, type Study } from './study';
import { TrialPruned, type TrialRecord } from './trial';
import { BadInputError } from '../../common/bad-input';

export type TuneMetric = 'valLoss' | 'valAccuracy';

export interface TuneOptions {
  /** A template id (adapted to the dataset) or Keras JSON. */
  template?: string;
  topology?: ModelTopology;
  /** A dataset reference (iris, mnist, FILE.csv, DIR) or an already loaded dataset. */
  dataset: string | Dataset;
  datasetOptions?: LoadOptions;
  /** Default: learning rate (log), dropout, L2 (log). */
  space?: SearchSpace;
  /** Base settings; sampled parameters override them. validationSplit must be > 0. */
  settings?: Partial<TrainingSettings>;
  nTrials: number;
  sampler?: 'tpe' | 'random' | Sampler;
  /** 'median' (default) or 'none'. */
  pruner?: 'median' | 'none' | Pruner;
  /** Seeds the sampler, the split and the initial weights (default settings.seed or 1). */
  seed?: number;
  /** valLoss (minimised, default) or valAccuracy (maximised). */
  metric?: TuneMetric;
  /** Save trials here after each one; an existing file is resumed. */
  studyFile?: string;
  /** Keep the best model of this call in memory (default true). */
  keepBestModel?: boolean;
  onTrial?: (event: TuneTrialEvent) => void;
  onEpoch?: (trialNumber: number, record: EpochRecord) => void;
  signal?: AbortSignal;
  /**
   * Where trials train: by default in this process on `settings.backend`. The engine passes its GPU
   * placement here (the backend it chose, and a starter that sends each trial to the page's worker).
   */
  placement?: TrialPlacement;
}

export interface TrialPlacement {
  backend: ActiveBackend;
  startRun(model: tfl.LayersModel, prepared: PreparedData, options: TrainOptions & { optimizer: OptimizerName; learningRate: number }): Promise<RunControl>;
}

export interface TuneTrialEvent {
  number: number;
  state: TrialRecord['state'];
  value: number | null;
  params: Params;
  history: EpochRecord[];
  seconds: number;
  error?: string;
  /** The best trial so far (this one included). */
  best: { number: number; value: number; params: Params } | null;
}

export interface TuneResult {
  study: Study;
  metric: TuneMetric;
  direction: 'minimize' | 'maximize';
  best: { number: number; value: number; params: Params; settings: TrainingSettings; topology: ModelTopology } | null;
  /** Trials run by this call (a resumed study also holds older ones in study.trials). */
  newTrials: TrialRecord[];
  /** The best model trained by this call, with what is needed to save or export it. */
  bestModel: { model: tfl.LayersModel; metadata: GlasswingMetadata; trialNumber: number } | null;
  backend: ActiveBackend;
  prepared: PreparedData;
  dataset: Dataset;
}

/** Each trial trains for 20 epochs unless told otherwise; everything else as a training run. */
const BASE_SETTINGS: TrainingSettings = { ...TRAINING_DEFAULTS, epochs: 20 };

export class TuneError extends BadInputError {}

export async function tuneModel(options: TuneOptions): Promise<TuneResult> {
  if (!options.template === !options.topology) throw new TuneError('Give either a template or a topology to tune.');
  if (!(options.nTrials >= 0)) throw new TuneError('nTrials must be 0 or more.');
  const dataset = typeof options.dataset === 'string' ? await loadDataset(options.dataset, options.datasetOptions ?? {}) : options.dataset;
  const seed = options.seed ?? options.settings?.seed ?? 1;
  const base: TrainingSettings = { ...BASE_SETTINGS, ...options.settings, seed };
  if (!(base.validationSplit > 0)) throw new TuneError('Tuning needs a validation split above 0: the objective is measured on it.');
  const topology = options.template
    ? adaptTemplate(getTemplate(options.template), { inputShape: dataset.inputShape, task: dataset.task, outputs: dataset.task === 'classification' ? dataset.classes.length : 1 })
    : options.topology!;
  const summary = summarizeTopology(topology);
  if (summary.errors.length) throw new TuneError(summary.errors.map((e) => (e.layer ? `${e.layer}: ${e.message}` : e.message)).join(' '));
  const space = options.space ?? defaultSpace();
  checkSpace(topology, base, space);
  const metric: TuneMetric = options.metric ?? 'valLoss';
  if (metric === 'valAccuracy' && dataset.task !== 'classification') throw new TuneError('valAccuracy needs a classification dataset; use valLoss.');
  const direction = metric === 'valLoss' ? 'minimize' : 'maximize';
  const studyOptions = { direction, sampler: options.sampler ?? 'tpe', pruner: options.pruner ?? 'median', seed } as const;
  const study = options.studyFile ? await openStudy({ ...studyOptions, file: options.studyFile }) : createStudy(studyOptions);
  const datasetName = typeof options.dataset === 'string' ? options.dataset : dataset.id;
  const modelName = options.template ?? topology.config.name;
  // A study resumes only the search it holds: trials of another model or dataset would be compared
  // with these as if they were the same objective (and the best could be a model of the other search).
  for (const [what, was, now] of [['dataset', study.meta['dataset'], datasetName], ['model', study.meta['model'], modelName]] as const) {
    // Datasets by file name: the same file typed from another folder is the same search.
    const same = what === 'dataset' ? (a: string, b: string) => path.basename(a) === path.basename(b) : (a: string, b: string) => a === b;
    if (study.trials.length && typeof was === 'string' && !same(was, now)) {
      const shown = (v: string) => (what === 'dataset' ? path.basename(v) : v);
      throw new TuneError(`The study ${path.basename(options.studyFile!).replace(/\.study\.json$|\.json$/, '')} holds a search of the ${what} "${shown(was)}"; this one tunes "${shown(now)}". Give the study another name (--study FILE on the command line), or tune the same ${what}.`);
    }
  }
  study.meta = { ...study.meta, metric, dataset: datasetName, model: modelName, space };
  const prepared = prepareData(dataset, base.validationSplit, base.testSplit, seed);
  if (prepared.train.count === 0 || prepared.validation.count === 0) throw new TuneError(`${dataset.name} is too small for the training and validation splits.`);
  const backend = options.placement?.backend ?? (await useBackend(base.backend));
  const keep = options.keepBestModel ?? true;
  let bestModel: TuneResult['bestModel'] = null;
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  const newTrials: TrialRecord[] = [];

  await study.optimize(
    async (trial) => {
      const params = trial.suggestAll(space);
      const applied = applyParams(topology, base, params);
      const model = await buildModel(applied.topology, seed);
      let kept = false;
      try {
        compileModel(model, dataset.task, applied.settings.optimizer, applied.settings.learningRate);
        let pruned = false;
        const history: EpochRecord[] = [];
        const trialRun: { current?: RunControl } = {};
        const loop: TrainOptions = {
          runId: `trial-${trial.number}`,
          epochs: applied.settings.epochs,
          batchSize: applied.settings.batchSize,
          seed,
          task: dataset.task,
          classes: dataset.classes,
          inputShape: dataset.inputShape,
          batchEventIntervalMs: 1e9,
          onEvent: (e) => {
            if (e.type !== 'epoch') return;
            const { type: _t, runId: _r, ...record } = e;
            history.push(record);
            options.onEpoch?.(trial.number, record);
            const v = metric === 'valLoss' ? record.valLoss : record.valAccuracy;
            trial.report(v ?? NaN, record.epoch);
            if (trial.shouldPrune() || options.signal?.aborted) {
              pruned = true;
              trialRun.current?.stop();
            }
          },
        };
        const run = options.placement
          ? await options.placement.startRun(model, prepared, { ...loop, optimizer: applied.settings.optimizer, learningRate: applied.settings.learningRate })
          : new TrainingRun(model, prepared.train, prepared.validation, loop);
        trialRun.current = run;
        await run.run();
        trial.setUserAttr('history', history);
        trial.setUserAttr('settings', applied.settings);
        if (pruned) throw new TrialPruned(`Trial ${trial.number} was pruned at epoch ${history.length}.`);
        const last = history[history.length - 1];
        const value = last ? (metric === 'valLoss' ? last.valLoss : last.valAccuracy) : null;
        if (value === null || !Number.isFinite(value)) throw new TuneError('The trial produced no validation value.');
        if (keep && (!bestModel || better(value, (study.trials.find((t) => t.number === bestModel!.trialNumber)?.value ?? value) as number))) {
          bestModel?.model.dispose();
          bestModel = {
            model,
            trialNumber: trial.number,
            metadata: { formatVersion: 1, task: dataset.task, classes: dataset.classes, inputShape: dataset.inputShape, preprocessing: prepared.preprocessing, dataset: typeof options.dataset === 'string' ? options.dataset : dataset.id },
          };
          kept = true;
        }
        return value;
      } finally {
        if (!kept) model.dispose();
      }
    },
    options.nTrials,
    {
      signal: options.signal,
      onTrial: (record) => {
        newTrials.push(record);
        const history = (record.userAttrs['history'] as EpochRecord[] | undefined) ?? [];
        const b = study.bestTrial;
        options.onTrial?.({
          number: record.number,
          state: record.state,
          value: record.value,
          params: record.params,
          history,
          seconds: history.reduce((a, h) => a + h.seconds, 0),
          ...(record.error ? { error: record.error } : {}),
          best: b ? { number: b.number, value: b.value!, params: b.params } : null,
        });
      },
    },
  );
  const b = study.bestTrial;
  return {
    study,
    metric,
    direction,
    best: b ? { number: b.number, value: b.value!, params: b.params, ...applyParams(topology, base, b.params) } : null,
    newTrials,
    bestModel,
    backend,
    prepared,
    dataset,
  };
}
