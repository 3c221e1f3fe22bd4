// glasswing export: a saved model as TF.js files, ONNX or a tf.keras script, checked after writing.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCommand, helpText, required, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { loadDataset } from '../../engine/datasets/load';
import { applyPreprocessing } from '../../engine/datasets/prepare';
import { exampleSize } from '../../engine/datasets/dataset';
import type { GlasswingMetadata } from '../../engine/model-io';
import { IMPORT_HELP, IMPORT_OPTIONS, isImportPath, loadCliModel } from './import-flags';
import { exportModel, EXPORT_FORMATS, type ExportFormat } from '../../engine/export/export';
import { useBackend } from '../../engine/backends';
import { parseImageSize } from './train';

const spec = {
  name: 'export',
  usage: '--model PATH --format tfjs|onnx|keras-script --out DIR [--dataset D] [--label COLUMN] [--image-size WxH] [--color C] [--examples N] [--json]',
  description:
    'Writes a saved model in another format, with preprocessing.json (scaling and class order) and model-card.md:\n' +
    '  tfjs           model.json + weights.bin (TF.js layers format) and training-settings.json\n' +
    '  onnx           model.onnx (opset 13, NHWC input like TF.js), runs in ONNX Runtime\n' +
    '  keras-script   train_keras.py: rebuilds the model in tf.keras, loads weights.bin, continues training\n' +
    'Then checks the export: examples go through the exported file (TF.js reload or ONNX Runtime) and the\n' +
    'largest difference from Glasswing\'s own predictions is printed (exit 1 when above 1e-4).\n' +
    '  --dataset D      take the check\'s examples from a dataset (default: random inputs); images are read\n' +
    '                   at the model\'s size and colour unless --image-size WxH and --color grayscale|rgb say otherwise\n' +
    '  --examples N     how many examples to check (default 64)\n' +
    '  --json           print {"format","outDir","files","check":{"runtime","examples","maxAbsDiff","ok","message"}}\n' +
    IMPORT_HELP,
  options: {
    model: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    dataset: { type: 'string' },
    label: { type: 'string' },
    examples: { type: 'string' },
    'image-size': { type: 'string' },
    color: { type: 'string' },
    json: { type: 'boolean' },
    ...IMPORT_OPTIONS,
  },
} as const satisfies CommandSpec<Options>;

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function runExport(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  const modelPath = required(flags.model, 'model', 'export');
  const format = required(flags.format, 'format', 'export') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}; got "${format}".`);
  const out = path.resolve(required(flags.out, 'out', 'export'));
  const examples = flags.examples === undefined ? 64 : Number(flags.examples);
  if (!Number.isInteger(examples) || examples < 1 || examples > 100_000) throw new CliError(`--examples must be a whole number of at least 1; got "${flags.examples}".`);
  if (flags.color && flags.color !== 'grayscale' && flags.color !== 'rgb') throw new CliError(`--color must be grayscale or rgb; got "${flags.color}".`);
  if (path.resolve(modelPath) === out || path.dirname(path.resolve(modelPath)) === out) throw new CliError("export: --out must be a different folder from the model's.");
  await useBackend('cpu');
  const loaded = await loadCliModel(modelPath, flags, !!flags.json);
  const model = loaded.model;
  let metadata: GlasswingMetadata | null = loaded.metadata;
  if (!metadata) {
    const shape = (model.inputs[0]!.shape.slice(1) as (number | null)[]).map((d) => d ?? 1);
    const units = Number(model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1);
    metadata = {
      formatVersion: 1,
      task: units > 1 ? 'classification' : 'regression',
      classes: units > 1 ? Array.from({ length: units }, (_, i) => String(i)) : [],
      inputShape: shape,
      preprocessing: { kind: 'table', featureNames: [], mean: new Array(shape.reduce((a, b) => a * b, 1)).fill(0), std: new Array(shape.reduce((a, b) => a * b, 1)).fill(1) },
    };
    if (!flags.json) process.stderr.write('The model has no Glasswing metadata: exporting with no preprocessing and numbered classes.\n');
  }
  let validation: { x: Float32Array; count: number } | undefined;
  if (flags.dataset) {
    // Images at the model's own size and colour unless the flags say otherwise (as evaluate reads them).
    const p = metadata.preprocessing;
    const modelImage = p.kind === 'image' ? { height: p.height, width: p.width, color: p.channels === 3 ? ('rgb' as const) : ('grayscale' as const) } : {};
    const ds = await loadDataset(flags.dataset, { labelColumn: flags.label, ...modelImage, ...parseImageSize(flags['image-size']), ...(flags.color ? { color: flags.color as 'grayscale' | 'rgb' } : {}), oneClassAllowed: true });
    if (ds.inputShape.join('x') !== metadata.inputShape.join('x')) {
      throw new CliError(`export: ${ds.name} has examples of shape (${ds.inputShape.join(', ')}); the model takes (${metadata.inputShape.join(', ')}).`);
    }
    const size = exampleSize(ds.inputShape);
    const count = Math.min(examples, ds.count);
    const raw = new Float32Array(count * size);
    // Examples spread over the whole dataset, so every class is likely present.
    for (let i = 0; i < count; i++) {
      const r = Math.floor((i * ds.count) / count);
      raw.set(ds.x.subarray(r * size, (r + 1) * size), i * size);
    }
    validation = { x: applyPreprocessing(raw, metadata.preprocessing), count };
  }
  // metrics.json from `glasswing train --out` fills the model card.
  const dir = (await stat(modelPath)).isDirectory() ? modelPath : path.dirname(modelPath);
  const metrics = isImportPath(modelPath) ? null : await readJson(path.join(dir, 'metrics.json'));
  const result = await exportModel({
    model,
    metadata,
    format,
    outDir: out,
    validation,
    randomExamples: examples,
    settings: (metrics?.['settings'] as Record<string, unknown> | undefined) ?? null,
    history: (metrics?.['history'] as never) ?? null,
    // metrics.json's test is a classifier's metrics, or a regression's {mae, rmse, r2, examples}.
    ...(metrics?.['test'] && typeof (metrics['test'] as { mae?: unknown }).mae === 'number'
      ? { regression: metrics['test'] as never }
      : { test: (metrics?.['test'] as never) ?? null }),
  });
  model.dispose();
  if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(`Exported ${format} to ${result.outDir}: ${result.files.join(', ')}\n`);
    process.stdout.write(`check: ${result.check.message} — ${result.check.ok ? 'ok' : 'NOT OK'}\n`);
  }
  return result.check.ok ? 0 : 1;
}
