// The training flags `train` and `tune` share, parsed into training settings over the one set of
// defaults (TRAINING_DEFAULTS) and validated by the contract's own schema, so the CLI accepts
// exactly what the UI and the engine accept — with messages that name the flag.
import { statSync } from 'node:fs';
import { TRAINING_DEFAULTS, TRAINING_SUGGESTIONS, trainingSettingsSchema, type TrainingSettings } from '../common/ipc/contract';
import type { DatasetFix } from '../common/ipc/contract';
import type { Options } from './args';
import { CliError } from './cli-error';
import { isBuiltinRef } from '../engine/datasets/builtin';

export const TRAINING_FLAGS = {
  label: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  'val-split': { type: 'string' },
  'test-split': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  'image-size': { type: 'string' },
  color: { type: 'string' },
  categorical: { type: 'string' },
  ignore: { type: 'string' },
  missing: { type: 'string' },
  'drop-bad': { type: 'string' },
} as const satisfies Options;

export const TRAINING_FLAGS_USAGE =
  '[--label COLUMN] [--epochs N] [--batch-size B] [--lr X] [--optimizer adam|sgd|rmsprop] [--val-split F] [--test-split F]\n' +
  '       [--seed S] [--backend auto|cpu|wasm|tensorflow] [--image-size HxW] [--color grayscale|rgb]\n' +
  '       [--categorical COL,…] [--ignore COL,…] [--missing COL,…] [--drop-bad COL,…]';

export const TRAINING_FLAGS_HELP =
  `Defaults: --epochs ${TRAINING_DEFAULTS.epochs} --batch-size ${TRAINING_DEFAULTS.batchSize} --lr ${TRAINING_DEFAULTS.learningRate} (${TRAINING_SUGGESTIONS['images']!.learningRate} for image folders and the mnist and watermark samples) --optimizer ${TRAINING_DEFAULTS.optimizer} ` +
  `--val-split ${TRAINING_DEFAULTS.validationSplit} --test-split ${TRAINING_DEFAULTS.testSplit} --seed ${TRAINING_DEFAULTS.seed} --backend ${TRAINING_DEFAULTS.backend}.\n` +
  'Tables: --categorical reads columns as categories (one input per value), --ignore leaves columns out,\n' +
  '--missing reads the non-numbers in numeric columns as missing values (filled with the training mean),\n' +
  '--drop-bad leaves out the rows whose value in those columns is not a number.';

type TrainingFlagValues = { [K in keyof typeof TRAINING_FLAGS]?: string };

/** The settings key each flag sets, for messages. */
const FLAG_OF: Record<string, string> = {
  epochs: '--epochs',
  batchSize: '--batch-size',
  learningRate: '--lr',
  optimizer: '--optimizer',
  validationSplit: '--val-split',
  testSplit: '--test-split',
  seed: '--seed',
  backend: '--backend',
  labelColumn: '--label',
  imageHeight: '--image-size',
  imageWidth: '--image-size',
  color: '--color',
  categorical: '--categorical',
  ignore: '--ignore',
  badValues: '--missing/--drop-bad',
};

export function parseImageSize(value: string | undefined): { height?: number; width?: number } {
  if (!value) return {};
  const m = /^(\d+)x(\d+)$/i.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1 || Number(m[1]) > 4096 || Number(m[2]) > 4096) throw new CliError(`--image-size must look like 28x28; got "${value}".`);
  return { height: Number(m[1]), width: Number(m[2]) };
}

/** A comma-separated flag value as a list (undefined when the flag is absent). */
export function listFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function number(value: string | undefined, flag: string, whole = false): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || (whole && !Number.isInteger(v))) throw new CliError(`${flag} must be ${whole ? 'a whole number' : 'a number'}; got "${value}".`);
  return v;
}

/** How non-numbers in numeric columns are read, from --missing and --drop-bad. */
export function badValuesFromFlags(flags: { missing?: string; 'drop-bad'?: string }): Record<string, 'missing' | 'drop'> | undefined {
  const badValues: Record<string, 'missing' | 'drop'> = {};
  for (const c of listFlag(flags.missing) ?? []) badValues[c] = 'missing';
  for (const c of listFlag(flags['drop-bad']) ?? []) badValues[c] = 'drop';
  return Object.keys(badValues).length ? badValues : undefined;
}

/**
 * The learning rate the app suggests for this dataset (a built-in sample's own; a folder of images:
 * the image suggestion; else the default), used when --lr is left out: Adam at 0.01 suits tables but
 * often stalls or diverges on images, and the CLI should train as the app does.
 */
export function suggestedFor(dataset: string): Partial<TrainingSettings> {
  if (isBuiltinRef(dataset)) {
    const own = TRAINING_SUGGESTIONS[dataset]?.learningRate;
    return own ? { learningRate: own } : {};
  }
  let folder = false;
  try {
    folder = statSync(dataset).isDirectory();
  } catch {
    // Not a path here: the import names what is wrong with it.
  }
  return folder ? { learningRate: TRAINING_SUGGESTIONS['images']!.learningRate } : {};
}

/** Training settings from the flags given, the defaults (and `base`) for the rest; validated. */
export function settingsFromFlags(flags: TrainingFlagValues, base: Partial<TrainingSettings> = {}): TrainingSettings {
  const size = parseImageSize(flags['image-size']);
  const given: Record<string, unknown> = {
    epochs: number(flags.epochs, '--epochs', true),
    batchSize: number(flags['batch-size'], '--batch-size', true),
    learningRate: number(flags.lr, '--lr'),
    optimizer: flags.optimizer,
    validationSplit: number(flags['val-split'], '--val-split'),
    testSplit: number(flags['test-split'], '--test-split'),
    seed: number(flags.seed, '--seed', true),
    backend: flags.backend,
    labelColumn: flags.label,
    imageHeight: size.height,
    imageWidth: size.width,
    color: flags.color,
    categorical: listFlag(flags.categorical),
    ignore: listFlag(flags.ignore),
    badValues: badValuesFromFlags(flags),
  };
  const merged = { ...TRAINING_DEFAULTS, ...base, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
  const parsed = trainingSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const flag = FLAG_OF[key] ?? key;
    const value = (merged as Record<string, unknown>)[key];
    throw new CliError(`${flag}: ${issue.message.replace(/^Invalid (option|input): /, '')}${value !== undefined && typeof value !== 'object' ? ` (got ${JSON.stringify(value)})` : ''}.`);
  }
  if (parsed.data.validationSplit + parsed.data.testSplit >= 0.95) throw new CliError('--val-split and --test-split together leave no data for training.');
  return parsed.data;
}

/** The flags that apply a data fix, as a hint after an import error. */
export function fixFlags(fixes: DatasetFix[]): string {
  const flag: Record<DatasetFix['option'], string> = { missing: '--missing', drop: '--drop-bad', categorical: '--categorical', ignore: '--ignore' };
  const parts = fixes.map((f) => `${flag[f.option]} ${f.column}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}` : (parts[0] ?? '');
}
