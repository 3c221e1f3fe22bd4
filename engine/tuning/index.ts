// Hyperparameter tuning: search spaces, samplers (random, TPE), pruners (median), studies, and
// tuneModel, which searches over a Glasswing model's training.
export { parseSpace, formatDistribution, SpaceError, type Distribution, type SearchSpace, type Params, type ParamValue } from './space';
export { RandomSampler, TpeSampler, makeSampler, type Sampler } from './samplers';
export { MedianPruner, PercentilePruner, NopPruner, makePruner, type Pruner } from './pruners';
export { createStudy, loadStudy, openStudy, Study, Trial, StudyError, type StudyOptions, type StudyFile, type Objective } from './study';
export { TrialPruned, type TrialRecord, type TrialState, type Direction } from './trial';
export { applyParams, checkSpace, defaultSpace } from './apply';
export { tuneModel, TuneError, type TuneOptions, type TuneResult, type TuneTrialEvent, type TuneMetric } from './tune-model';
