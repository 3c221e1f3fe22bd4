// The tuning domain: hyperparameter search (one at a time, through the scheduler so it never
// overlaps training on TF.js), studies saved under the Glasswing folder's studies/ (resumable by
// name).
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EpochRecord, ModelSource, TrainingSettings, TuningBest, TuningMetric, TuningStudy, TuningStudySummary, TuningTrialInfo } from '../../common/ipc/contract';
import type { Handlers } from '../../common/ipc/router';
import type { ModelTopology } from '../../common/model/keras-format';
import { BadInputError, NotFoundError } from '../../common/bad-input';
import { glasswingDir } from '../files/places';
import type { EngineContext } from '../core/context';
import { readingOptions } from '../core/data-cache';
import { resolveModel } from './model-source';
import { applyParams } from '../tuning/apply';
import { tuneModel, type TrialPlacement } from '../tuning/tune-model';
import { buildModel, disposeModel } from '../../compute/model-builder';
import { placeRun } from '../compute/placement';
import { useBackend } from '../backends';
import { startRemoteRun } from '../compute/remote-run';
import type { Dataset } from '../datasets/dataset';
import type { StudyFile } from '../tuning/study';
import type { TrialRecord } from '../tuning/trial';
import type { SearchSpace } from '../tuning/space';
import { writeFileAtomic } from '../model-io';

export type TuningHandlers = Pick<Handlers, 'tuning.start' | 'tuning.stop' | 'tuning.list' | 'tuning.open'>;

const STUDY_SUFFIX = '.study.json';
const BASE_SUFFIX = '.base.json';

export function studiesDir(): string {
  return path.join(glasswingDir(), 'studies');
}

function studyFile(name: string): string {
  return path.join(studiesDir(), `${name}${STUDY_SUFFIX}`);
}

/** The model and settings a study started from, kept beside the study file. */
interface StudyBase {
  topology: ModelTopology;
  settings: TrainingSettings;
  source: ModelSource;
}

function trialInfo(t: TrialRecord): TuningTrialInfo {
  const history = (t.userAttrs['history'] as EpochRecord[] | undefined) ?? [];
  return {
    number: t.number,
    state: t.state,
    value: t.value,
    params: t.params,
    history,
    seconds: history.reduce((a, h) => a + h.seconds, 0),
    ...(t.error ? { error: t.error } : {}),
  };
}

function bestOf(data: StudyFile): TrialRecord | null {
  let best: TrialRecord | null = null;
  for (const t of data.trials) {
    if (t.state !== 'complete' || t.value === null) continue;
    if (!best || (data.direction === 'minimize' ? t.value < best.value! : t.value > best.value!)) best = t;
  }
  return best;
}

function applyBest(base: StudyBase | null, t: TrialRecord | null): TuningBest | null {
  if (!base || !t || t.value === null) return null;
  try {
    const applied = applyParams(base.topology, base.settings, t.params);
    return { number: t.number, value: t.value, params: t.params, topology: applied.topology, settings: applied.settings };
  } catch {
    return null;
  }
}

async function readStudy(name: string): Promise<{ data: StudyFile; base: StudyBase | null; updatedAt: string }> {
  const file = studyFile(name);
  let data: StudyFile;
  let updatedAt: string;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as StudyFile;
    updatedAt = (await stat(file)).mtime.toISOString();
  } catch {
    throw new NotFoundError(`There is no study "${name}" in ${studiesDir()}.`);
  }
  if (data?.format !== 'glasswing-study' || !Array.isArray(data.trials)) throw new BadInputError(`${file} is not a Glasswing study file.`);
  let base: StudyBase | null = null;
  try {
    base = JSON.parse(await readFile(path.join(studiesDir(), `${name}${BASE_SUFFIX}`), 'utf8')) as StudyBase;
  } catch {
    base = null;
  }
  return { data, base, updatedAt };
}

function summary(name: string, data: StudyFile, updatedAt: string): TuningStudySummary {
  const best = bestOf(data);
  return {
    name,
    file: studyFile(name),
    direction: data.direction,
    metric: (data.meta?.['metric'] as TuningMetric | undefined) ?? 'valLoss',
    sampler: data.sampler,
    dataset: typeof data.meta?.['dataset'] === 'string' ? (data.meta['dataset'] as string) : null,
    model: typeof data.meta?.['model'] === 'string' ? (data.meta['model'] as string) : null,
    trials: data.trials.length,
    complete: data.trials.filter((t) => t.state === 'complete').length,
    pruned: data.trials.filter((t) => t.state === 'pruned').length,
    bestValue: best?.value ?? null,
    updatedAt,
  };
}

function defaultStudyName(dataset: string): string {
  const stem = path.basename(dataset).replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-').replace(/^[^\w]+/, '') || 'study';
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${stem}-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/**
 * Where the trials train: the backend chosen as for a training run (a named GPU backend, or auto
 * timing the model); when that is the page's worker, each trial is sent there.
 */
async function trialPlacement(ctx: EngineContext, settings: TrainingSettings, topology: ModelTopology, dataset: Dataset): Promise<TrialPlacement | undefined> {
  const gpu = settings.backend === 'webgpu' || settings.backend === 'webgl';
  // A CPU backend by name, or auto with no page offering a GPU: the trials train here.
  if (!gpu && (settings.backend !== 'auto' || !ctx.compute.report)) return undefined;
  await useBackend('auto');
  const probe = await buildModel(topology, settings.seed ?? 1);
  try {
    const classes = dataset.task === 'classification' ? dataset.classes.length : 1;
    const p = await placeRun(settings.backend, { model: probe, inputShape: dataset.inputShape, task: dataset.task, classes, batchSize: settings.batchSize }, ctx.compute);
    if (p.where === 'engine') return undefined;
    return {
      backend: { name: p.backend, device: p.device, reason: p.reason },
      startRun: (model, prepared, o) => startRemoteRun(ctx.compute, model, prepared, { ...o, backend: p.backend }),
    };
  } finally {
    disposeModel(probe);
  }
}

export function tuningHandlers(ctx: EngineContext): TuningHandlers {
  let active: { studyId: string; controller: AbortController } | null = null;
  let nextStudy = 1;

  return {
    'tuning.start': async (p) => {
      if (active) throw new BadInputError('A search is already running; stop it first.');
      const settings = p.settings as TrainingSettings;
      if (!(settings.validationSplit > 0)) throw new BadInputError('Tuning needs a validation split above 0: the objective is measured on it.');
      if ('file' in p.model) throw new BadInputError('A search starts from a template or the model in the Build view; open the file there first.');
      const dataset = await ctx.data.load(p.dataset, readingOptions(settings));
      const topology: ModelTopology = await resolveModel(p.model, dataset);
      const name = p.studyName ?? defaultStudyName(p.dataset);
      const file = studyFile(name);
      let resumedTrials = 0;
      try {
        const old = JSON.parse(await readFile(file, 'utf8')) as StudyFile;
        resumedTrials = Array.isArray(old.trials) ? old.trials.length : 0;
      } catch {
        resumedTrials = 0;
      }
      const base: StudyBase = { topology, settings, source: p.model };
      if (resumedTrials === 0) {
        await mkdir(studiesDir(), { recursive: true });
        await writeFileAtomic(path.join(studiesDir(), `${name}${BASE_SUFFIX}`), JSON.stringify(base) + '\n');
      }
      const studyId = `study-${Date.now().toString(36)}-${nextStudy++}`;
      const controller = new AbortController();
      active = { studyId, controller };
      const metric: TuningMetric = p.metric ?? 'valLoss';
      void ctx.scheduler
        .exclusive(async () =>
          tuneModel({
            placement: await trialPlacement(ctx, settings, topology, dataset),
            topology,
            dataset,
            space: p.space as SearchSpace,
            settings,
            nTrials: p.nTrials,
            sampler: p.sampler,
            pruner: p.pruner,
            seed: p.seed,
            metric,
            studyFile: file,
            keepBestModel: false,
            signal: controller.signal,
            onEpoch: (trial, r) => {
              ctx.bus.emit('tuning.epoch', { studyId, trial, epoch: r.epoch, epochs: settings.epochs, valLoss: r.valLoss, valAccuracy: r.valAccuracy });
            },
            onTrial: (e) => {
              const { best, ...rest } = e;
              ctx.bus.emit('tuning.trial', { studyId, ...rest, best });
            },
          }),
        )
        .then(
          (result) => {
            const b = result.best;
            ctx.bus.emit('tuning.finished', {
              studyId,
              name,
              stopped: controller.signal.aborted,
              failed: null,
              metric: result.metric,
              direction: result.direction,
              best: b ? { number: b.number, value: b.value, params: b.params, topology: b.topology, settings: b.settings } : null,
            });
          },
          (e: unknown) => {
            ctx.bus.emit('tuning.finished', { studyId, name, stopped: false, failed: e instanceof Error ? e.message : String(e), metric, direction: metric === 'valLoss' ? 'minimize' : 'maximize', best: null });
          },
        )
        .finally(() => {
          if (active?.studyId === studyId) active = null;
        });
      return { studyId, name, file, resumedTrials };
    },

    'tuning.stop': async ({ studyId }) => {
      if (!active || active.studyId !== studyId) throw new NotFoundError(`No search "${studyId}" is running.`);
      active.controller.abort();
      return { ok: true };
    },

    'tuning.list': async () => {
      const dir = studiesDir();
      let names: string[] = [];
      try {
        names = (await readdir(dir)).filter((f) => f.endsWith(STUDY_SUFFIX)).map((f) => f.slice(0, -STUDY_SUFFIX.length));
      } catch {
        names = [];
      }
      const studies: TuningStudySummary[] = [];
      for (const name of names) {
        try {
          const { data, updatedAt } = await readStudy(name);
          studies.push(summary(name, data, updatedAt));
        } catch {
          // An unreadable file is not a study; it is left alone.
        }
      }
      studies.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      return { directory: dir, studies };
    },

    'tuning.open': async ({ name }) => {
      const { data, base, updatedAt } = await readStudy(name);
      const study: TuningStudy = {
        ...summary(name, data, updatedAt),
        space: (data.meta?.['space'] as TuningStudy['space'] | undefined) ?? {},
        trialList: data.trials.map(trialInfo),
        best: applyBest(base, bestOf(data)),
        base,
      };
      return study;
    },

  };
}
