// A study: ask/tell over trials, a sampler, a pruner, and a JSON file that holds every trial so a
// search can stop and resume. The samplers are stateless (each draw is seeded by the study seed,
// trial number and parameter name) and condition on all finished trials, so a resumed study
// continues exactly as if it had never stopped.
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../model-io';
import { makePruner, MedianPruner, NopPruner, type Pruner } from './pruners';
import { makeSampler, RandomSampler, TpeSampler, type Sampler } from './samplers';
import { contains, isSingle, validateDistribution, type Distribution, type ParamValue, type Params, type SearchSpace } from './space';
import { TrialPruned, type Direction, type TrialRecord } from './trial';
import { BadInputError } from '../../common/bad-input';

export interface StudyOptions {
  direction?: Direction;
  /** 'tpe' (default), 'random', or a sampler object. */
  sampler?: 'tpe' | 'random' | Sampler;
  /** 'median' (default) or 'none', or a pruner object. */
  pruner?: 'median' | 'none' | Pruner;
  seed?: number;
  /** Where trials are saved after every change (atomic writes). */
  file?: string;
  name?: string;
}

export interface StudyFile {
  format: 'glasswing-study';
  version: 1;
  name: string;
  direction: Direction;
  sampler: string;
  pruner: string;
  seed: number;
  /** Free-form facts about the search (dataset, model, space) for the UI. */
  meta: Record<string, unknown>;
  trials: TrialRecord[];
}

export class StudyError extends BadInputError {}

/** The handle an objective gets: suggest parameters, report intermediate values, ask to prune. */
export class Trial {
  constructor(
    private readonly study: Study,
    readonly record: TrialRecord,
  ) {}

  get number(): number {
    return this.record.number;
  }

  get params(): Params {
    return this.record.params;
  }

  suggest(name: string, dist: Distribution): ParamValue {
    if (name in this.record.params) return this.record.params[name]!;
    validateDistribution(name, dist);
    const value = isSingle(dist)
      ? dist.type === 'categorical'
        ? dist.choices[0]!
        : dist.low
      : this.study.sampler.sampleIndependent({ trials: this.study.trials.filter((t) => t.number !== this.number), direction: this.study.direction, trialNumber: this.number }, name, dist);
    this.record.params[name] = value;
    this.record.distributions[name] = dist;
    return value;
  }

  suggestFloat(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): number {
    return this.suggest(name, { type: 'float', low, high, ...options }) as number;
  }

  suggestInt(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): number {
    return this.suggest(name, { type: 'int', low, high, ...options }) as number;
  }

  suggestCategorical<T extends ParamValue>(name: string, choices: T[]): T {
    return this.suggest(name, { type: 'categorical', choices }) as T;
  }

  /** Samples every parameter of a space, in name order. */
  suggestAll(space: SearchSpace): Params {
    for (const name of Object.keys(space).sort()) this.suggest(name, space[name]!);
    return { ...this.record.params };
  }

  report(value: number, step: number): void {
    this.record.intermediate[String(step)] = value;
  }

  shouldPrune(): boolean {
    return this.study.pruner.prune(this.study.trials, this.record, this.study.direction);
  }

  setUserAttr(key: string, value: unknown): void {
    this.record.userAttrs[key] = value;
  }
}

export type Objective = (trial: Trial) => number | Promise<number>;

export class Study {
  readonly trials: TrialRecord[] = [];
  readonly direction: Direction;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly seed: number;
  readonly file: string | null;
  readonly name: string;
  meta: Record<string, unknown> = {};

  constructor(options: StudyOptions = {}) {
    this.direction = options.direction ?? 'minimize';
    this.seed = options.seed ?? 0;
    this.sampler = typeof options.sampler === 'object' ? options.sampler : makeSampler(options.sampler ?? 'tpe', this.seed);
    this.pruner = typeof options.pruner === 'object' ? options.pruner : makePruner(options.pruner ?? 'median');
    this.file = options.file ?? null;
    this.name = options.name ?? 'study';
  }

  ask(space?: SearchSpace): Trial {
    const record: TrialRecord = {
      number: this.trials.length,
      state: 'running',
      params: {},
      distributions: {},
      value: null,
      intermediate: {},
      userAttrs: {},
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.trials.push(record);
    const trial = new Trial(this, record);
    if (space) trial.suggestAll(space);
    return trial;
  }

  /** Finishes a trial: a value completes it; 'pruned' or 'failed' end it without one. */
  async tell(trial: Trial | number, outcome: number | { state: 'pruned' | 'failed'; error?: string }): Promise<TrialRecord> {
    const record = this.trials[typeof trial === 'number' ? trial : trial.number];
    if (!record) throw new StudyError(`There is no trial ${typeof trial === 'number' ? trial : trial.number}.`);
    if (record.state !== 'running') throw new StudyError(`Trial ${record.number} has already finished (${record.state}).`);
    if (typeof outcome === 'number') {
      if (Number.isNaN(outcome)) {
        record.state = 'failed';
        record.error = 'The objective returned NaN.';
      } else {
        record.state = 'complete';
        record.value = outcome;
      }
    } else {
      record.state = outcome.state;
      if (outcome.error) record.error = outcome.error;
    }
    record.finishedAt = new Date().toISOString();
    await this.save();
    return record;
  }

  get completeTrials(): TrialRecord[] {
    return this.trials.filter((t) => t.state === 'complete');
  }

  get bestTrial(): TrialRecord | null {
    let best: TrialRecord | null = null;
    for (const t of this.completeTrials) {
      if (!best || (this.direction === 'minimize' ? t.value! < best.value! : t.value! > best.value!)) best = t;
    }
    return best;
  }

  /** Runs `nTrials` more trials. A TrialPruned from the objective prunes; other errors fail the trial. */
  async optimize(objective: Objective, nTrials: number, options: { space?: SearchSpace; onTrial?: (t: TrialRecord, study: Study) => void; signal?: AbortSignal } = {}): Promise<void> {
    for (let i = 0; i < nTrials; i++) {
      if (options.signal?.aborted) break;
      const trial = this.ask(options.space);
      await this.save();
      let record: TrialRecord;
      try {
        const value = await objective(trial);
        record = await this.tell(trial, value);
      } catch (e) {
        if (e instanceof TrialPruned) record = await this.tell(trial, { state: 'pruned' });
        else {
          record = await this.tell(trial, { state: 'failed', error: (e as Error)?.message ?? String(e) });
        }
      }
      options.onTrial?.(record, this);
    }
  }

  toJSON(): StudyFile {
    return {
      format: 'glasswing-study',
      version: 1,
      name: this.name,
      direction: this.direction,
      sampler: this.sampler.name,
      pruner: this.pruner.name,
      seed: this.seed,
      meta: this.meta,
      trials: this.trials,
    };
  }

  async save(): Promise<void> {
    if (!this.file) return;
    await mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify(this.toJSON(), null, 1) + '\n');
  }
}

export function createStudy(options: StudyOptions = {}): Study {
  return new Study(options);
}

function samplerFromName(name: string, seed: number): Sampler {
  if (name === 'tpe') return new TpeSampler({ seed });
  if (name === 'random') return new RandomSampler(seed);
  throw new StudyError(`Unknown sampler "${name}" in the study file.`);
}

/**
 * Loads a study file and continues it: numbering goes on, the sampler conditions on every old
 * trial. Trials left 'running' (an interrupted process) become 'failed'. Options override the
 * file's sampler and pruner; the direction must match.
 */
export async function loadStudy(file: string, options: Omit<StudyOptions, 'file'> = {}): Promise<Study> {
  let data: StudyFile;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as StudyFile;
  } catch (e) {
    throw new StudyError(`${file} is not a readable study file: ${(e as Error).message}`);
  }
  if (data?.format !== 'glasswing-study' || !Array.isArray(data.trials)) throw new StudyError(`${file} is not a Glasswing study file.`);
  if (options.direction && options.direction !== data.direction) throw new StudyError(`${file} ${data.direction}s its objective; this search would ${options.direction} it.`);
  const seed = options.seed ?? data.seed;
  const study = new Study({
    direction: data.direction,
    seed,
    sampler: options.sampler ?? samplerFromName(data.sampler, seed),
    pruner: options.pruner ?? (data.pruner === 'median' ? new MedianPruner() : new NopPruner()),
    file,
    name: options.name ?? data.name,
  });
  study.meta = data.meta ?? {};
  data.trials.forEach((t, i) => {
    if (t.number !== i) throw new StudyError(`${file}: trial ${i} is numbered ${t.number}.`);
    const intermediate: Record<string, number> = {};
    for (const [k, v] of Object.entries(t.intermediate ?? {})) intermediate[k] = v === null ? NaN : v;
    for (const [name, value] of Object.entries(t.params ?? {})) {
      const d = t.distributions?.[name];
      if (!d || !contains(d, value)) throw new StudyError(`${file}: trial ${i} has parameter ${name} = ${JSON.stringify(value)} outside its range.`);
    }
    const state = t.state === 'running' ? 'failed' : t.state;
    study.trials.push({ ...t, state, intermediate, userAttrs: t.userAttrs ?? {}, ...(t.state === 'running' ? { error: 'interrupted', finishedAt: t.finishedAt ?? null } : {}) });
  });
  return study;
}

/** Loads `file` when it exists, else starts a new study that saves there. */
export async function openStudy(options: StudyOptions & { file: string }): Promise<Study> {
  try {
    await readFile(options.file);
  } catch {
    return createStudy(options);
  }
  const { file, ...rest } = options;
  return loadStudy(file, rest);
}
