// One trial of a study, as stored in the study file.
import type { Distribution, Params } from './space';

export type Direction = 'minimize' | 'maximize';
export type TrialState = 'running' | 'complete' | 'pruned' | 'failed';

export interface TrialRecord {
  number: number;
  state: TrialState;
  params: Params;
  distributions: Record<string, Distribution>;
  /** The objective's final value (complete trials). */
  value: number | null;
  /** Intermediate objective per step (epoch), keys are step numbers as strings. */
  intermediate: Record<string, number>;
  /** Anything the objective wants to keep (e.g. per-epoch accuracy). */
  userAttrs: Record<string, unknown>;
  startedAt: string;
  finishedAt: string | null;
  /** Why a trial failed. */
  error?: string;
}

/** Thrown by an objective (or raised through Trial.shouldPrune) to stop a trial early. */
export class TrialPruned extends Error {
  constructor(message = 'Trial was pruned.') {
    super(message);
    this.name = 'TrialPruned';
  }
}
