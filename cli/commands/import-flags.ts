// What every command that takes --model shares for imported models (.onnx, .keras, .h5): the
// --classes and --preprocess flags, and loading through engine/import's loadAnyModel, which also
// opens Glasswing's own model folders. What the import assumed (preprocessing, class names) and
// its conversion check go to stderr, so --json output on stdout stays clean.
import { CliError } from '../cli-error';
import { loadAnyModel, importSourceOf, PREPROCESS_PRESETS, type AnyLoadedModel, type ImportOptions, type PreprocessPreset } from '../../engine/import';

export const IMPORT_OPTIONS = {
  classes: { type: 'string' },
  preprocess: { type: 'string' },
} as const;

export const IMPORT_HELP =
  '  --model may also be a PyTorch export (.onnx), a Keras 3 model (.keras) or a Keras 2 model (.h5); then:\n' +
  '  --classes FILE     class names, one per line (.txt) or a JSON array (.json); default "class 0" … "class N-1"\n' +
  '  --preprocess P     imagenet (pixel/255, ImageNet mean/std), unit (pixel/255) or none (raw 0–255 pixels);\n' +
  '                     default: imagenet for 3-channel ONNX, none for Keras models that start with Rescaling, else unit';

export function importOptions(flags: { classes?: string; preprocess?: string }): ImportOptions {
  if (flags.preprocess !== undefined && !PREPROCESS_PRESETS.includes(flags.preprocess as PreprocessPreset)) {
    throw new CliError(`--preprocess must be one of ${PREPROCESS_PRESETS.join(', ')}; got "${flags.preprocess}".`);
  }
  return { ...(flags.classes ? { classesFile: flags.classes } : {}), ...(flags.preprocess ? { preprocess: flags.preprocess as PreprocessPreset } : {}) };
}

export function isImportPath(modelPath: string | undefined): boolean {
  return !!modelPath && importSourceOf(modelPath) !== null;
}

/** Loads --model (a folder, a model.json, or a file to import); reports the import on stderr. */
export async function loadCliModel(modelPath: string, flags: { classes?: string; preprocess?: string }, quiet = false): Promise<AnyLoadedModel> {
  const options = importOptions(flags);
  if (!isImportPath(modelPath) && (flags.classes || flags.preprocess)) {
    throw new CliError('--classes and --preprocess apply to imported models (.onnx, .keras, .h5); a Glasswing model keeps its own.');
  }
  const loaded = await loadAnyModel(modelPath, options);
  const imported = loaded.imported;
  if (imported && !quiet) {
    for (const note of imported.notes) process.stderr.write(`import: ${note}\n`);
    const c = imported.check;
    process.stderr.write(`import check: ${c.message}${c.maxAbsDiff === null ? '' : c.ok ? ' — ok' : ' — NOT OK'}\n`);
  }
  return loaded;
}
