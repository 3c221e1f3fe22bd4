// glasswing tune: hyperparameter search (TPE or random, median pruning) over a template or model.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { parseCommand, helpText, numberFlag, required, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { checkOutFolder } from '../out-folder';
import { saveModel, writeFileAtomic } from '../../engine/model-io';
import { parseSpace, type SearchSpace } from '../../engine/tuning/space';
import { tuneModel, type TuneMetric, type TuneTrialEvent } from '../../engine/tuning/tune-model';
import { readTopology } from './summary';
import { settingsFromFlags, suggestedFor, TRAINING_FLAGS, TRAINING_FLAGS_HELP, TRAINING_FLAGS_USAGE } from '../training-flags';
import { loadOptionsOf, readingOptions } from '../../engine/core/data-cache';

const DEFAULT_SPACE = 'lr=1e-4:1e-1:log,dropout=0:0.5,l2=1e-6:1e-2:log';

const spec = {
  name: 'tune',
  usage:
    '(--template NAME | --model PATH) --dataset D [--trials N] [--sampler tpe|random] [--pruner median|none]\n' +
    `       [--space SPEC] [--metric val-loss|val-accuracy] [--study FILE] [--out DIR] [--json]\n       ${TRAINING_FLAGS_USAGE}`,
  description:
    'Searches hyperparameters: each trial trains the model for --epochs on the same split and reports the\n' +
    'validation loss per epoch; the median pruner stops trials that fall behind. TPE is Optuna\'s default sampler.\n' +
    'A --model gives the architecture: every trial starts from fresh weights (units, filters and dropout change it).\n' +
    '  --trials N        trials to run (default 20)\n' +
    '  --sampler S       tpe (default) or random\n' +
    '  --pruner P        median (default; Optuna\'s MedianPruner) or none\n' +
    '  --epochs N        epochs per trial\n' +
    `  --space SPEC      comma-separated parameters (default ${DEFAULT_SPACE}):\n` +
    '                      name=low:high          uniform float (int for batch, epochs, units.*, filters.*)\n' +
    '                      name=low:high:log      log-uniform; add :int or :step=S for integers or steps\n' +
    '                      name=a|b|c             categorical\n' +
    '                    names: lr, batch, epochs, optimizer, dropout[.LAYER], l2[.LAYER], units.LAYER, filters.LAYER\n' +
    '                    e.g. lr=1e-4:1e-1:log,dropout=0:0.5,l2=1e-6:1e-2:log,batch=16|32|64,units.dense_1=4:64\n' +
    '  --metric M        val-loss (minimised, default) or val-accuracy (maximised)\n' +
    '  --study FILE      save every trial to FILE (JSON); if FILE exists, the search resumes from it\n' +
    '  --out DIR         save the best model trained in this run (model.json + weights.bin + tuning.json)\n' +
    '  --json            one JSON line per trial {"trial","state","value","params","epochs","seconds"},\n' +
    '                    then {"best":{"trial","value","params","settings"}}\n' +
    TRAINING_FLAGS_HELP,
  options: {
    template: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    ...TRAINING_FLAGS,
    trials: { type: 'string' },
    sampler: { type: 'string' },
    pruner: { type: 'string' },
    space: { type: 'string' },
    metric: { type: 'string' },
    study: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
} as const satisfies CommandSpec<Options>;

function fmt(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(3) : v.toPrecision(4);
}

export function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${fmt(v)}`).join('  ');
}

export async function runTune(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  if (!!flags.template === !!flags.model) throw new CliError('tune: give either --template NAME or --model PATH.');
  const dataset = required(flags.dataset, 'dataset', 'tune');
  if (flags.out) await checkOutFolder(flags.out);
  const sampler = flags.sampler ?? 'tpe';
  if (sampler !== 'tpe' && sampler !== 'random') throw new CliError(`--sampler must be tpe or random; got "${sampler}".`);
  const pruner = flags.pruner ?? 'median';
  if (pruner !== 'median' && pruner !== 'none') throw new CliError(`--pruner must be median or none; got "${pruner}".`);
  const metricFlag = flags.metric ?? 'val-loss';
  if (metricFlag !== 'val-loss' && metricFlag !== 'val-accuracy') throw new CliError(`--metric must be val-loss or val-accuracy; got "${metricFlag}".`);
  const metric: TuneMetric = metricFlag === 'val-loss' ? 'valLoss' : 'valAccuracy';
  const trials = numberFlag(flags.trials, 'trials', 20, (v) => Number.isInteger(v) && v >= 1 && v <= 100_000, 'a whole number of at least 1');
  const settings = settingsFromFlags(flags, suggestedFor(dataset));
  if (!(settings.validationSplit > 0)) throw new CliError('--val-split must be above 0: the search measures its objective on the validation split.');
  const seed = settings.seed!;
  let space: SearchSpace;
  try {
    space = parseSpace(flags.space ?? DEFAULT_SPACE);
  } catch (e) {
    throw new CliError(`--space: ${(e as Error).message}`);
  }
  const json = !!flags.json;
  const topology = flags.model ? await readTopology(flags.model) : undefined;
  const onTrial = (e: TuneTrialEvent) => {
    if (json) {
      process.stdout.write(JSON.stringify({ trial: e.number, state: e.state, value: e.value, params: e.params, epochs: e.history.length, seconds: Number(e.seconds.toFixed(3)), ...(e.error ? { error: e.error } : {}) }) + '\n');
      return;
    }
    const what = e.state === 'complete' ? `${metricFlag} ${e.value!.toFixed(4)}` : e.state === 'pruned' ? `pruned at epoch ${e.history.length}` : `failed: ${e.error ?? ''}`;
    const star = e.best && e.best.number === e.number ? '  *best' : '';
    process.stdout.write(`trial ${String(e.number).padStart(3)}  ${what.padEnd(24)}  ${formatParams(e.params)}  (${e.seconds.toFixed(1)} s)${star}\n`);
  };
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await tuneModel({
      ...(flags.template ? { template: flags.template } : { topology }),
      dataset,
      datasetOptions: loadOptionsOf(readingOptions(settings)),
      space,
      settings,
      nTrials: trials,
      sampler,
      pruner,
      seed,
      metric,
      studyFile: flags.study ? path.resolve(flags.study) : undefined,
      keepBestModel: !!flags.out,
      onTrial,
      signal: controller.signal,
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err?.code === 'bad-input') throw new CliError(`tune: ${err.message}`);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (!json && result.newTrials.length < result.study.trials.length) {
    process.stderr.write(`Resumed ${flags.study}: ${result.study.trials.length - result.newTrials.length} earlier trials, ${result.newTrials.length} new.\n`);
  }
  const best = result.best;
  if (json) {
    process.stdout.write(JSON.stringify({ best: best ? { trial: best.number, value: best.value, params: best.params, settings: best.settings } : null }) + '\n');
  } else if (best) {
    const s = best.settings;
    process.stdout.write(`\nbest: trial ${best.number}  ${metricFlag} ${best.value.toFixed(4)}\n  ${formatParams(best.params)}\n  settings: epochs ${s.epochs}, batch size ${s.batchSize}, lr ${fmt(s.learningRate)}, optimizer ${s.optimizer}\n`);
  } else {
    process.stdout.write('\nNo trial completed.\n');
  }
  if (flags.out && result.bestModel) {
    const dir = path.resolve(flags.out);
    await mkdir(dir, { recursive: true });
    await saveModel(result.bestModel.model, dir, result.bestModel.metadata);
    await writeFileAtomic(path.join(dir, 'tuning.json'), JSON.stringify({ trial: result.bestModel.trialNumber, metric, best, dataset }, null, 2) + '\n');
    if (!json) process.stderr.write(`Saved the best model of this run (trial ${result.bestModel.trialNumber}) to ${dir}\n`);
  }
  return best ? 0 : 1;
}
