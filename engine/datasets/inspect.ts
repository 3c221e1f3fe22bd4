// The importer's preview: what a dataset reference holds as the importer sees it — rows or images,
// columns with types and statistics, classes with counts, the first rows, a few images per class,
// and every problem found (each naming the file, line and column, with a fix where there is one).
// It rejects with a DataError only when nothing usable can be read (no such path, an empty file,
// an unreadable file, a folder with fewer than two classes, …).
import path from 'node:path';
import { assetsDir, loadMnist } from './builtin';
import { badValueFixes, badValueMessage, decimalCommaMessage, strayLabelsMessage, tooManyCategoriesMessage, wrongFieldCountMessage, type ColumnAnalysis, type TableOptions } from './csv';
import { memoryBudgetBytes, scanTableFile, tableBytes } from './csv-file';
import { inputUnits } from './table-analysis';
import type { ColumnStats, ColumnSummary, DatasetInspection, DatasetProblem, SampleImage } from '../../common/ipc/contract';
import { MAX_CLASSES, tooManyClassesMessage, type Dataset, type ImportReport } from './dataset';

export type { ColumnStats, ColumnSummary, DatasetInspection, DatasetProblem, SampleImage };
import { loadImageFolder } from './image-folder';
import { resolveRef, type LoadOptions } from './load';

export interface InspectOptions extends LoadOptions {
  /** Sample images per class (default 4, at most 40 in all). */
  samplesPerClass?: number;
}

const IMBALANCE_WARNING = 3;


function classSummary(names: string[], y: Float32Array, problems: DatasetProblem[], file: string) {
  const counts = new Array<number>(names.length).fill(0);
  for (const v of y) counts[v]!++;
  const classes = names.map((name, i) => ({ name, count: counts[i]! }));
  let imbalance: DatasetInspection['imbalance'] = null;
  if (classes.length >= 2) {
    const largest = classes.reduce((a, b) => (b.count > a.count ? b : a));
    const smallest = classes.reduce((a, b) => (b.count < a.count ? b : a));
    imbalance = { largest: largest.name, smallest: smallest.name, ratio: smallest.count ? largest.count / smallest.count : Infinity };
    if (imbalance.ratio > IMBALANCE_WARNING) {
      problems.push({
        severity: 'warning',
        file,
        message: `${file}: the classes are imbalanced — "${largest.name}" has ${largest.count} examples, "${smallest.name}" only ${smallest.count} (${imbalance.ratio.toFixed(1)}×). Accuracy can look good while "${smallest.name}" is never predicted; watch precision and recall.`,
      });
    }
  }
  return { classes, imbalance };
}

function knownColumns(names: string[] | undefined, header: string[], file: string, what: string, problems: DatasetProblem[]): string[] | undefined {
  if (!names) return undefined;
  for (const c of names) if (!header.includes(c)) problems.push({ severity: 'error', file, column: c, message: `${file} has no column "${c}" (named as ${what}). Its columns are: ${header.join(', ')}.` });
  return names.filter((c) => header.includes(c));
}

function summarizeColumn(c: ColumnAnalysis): ColumnSummary {
  const summary: ColumnSummary = { name: c.name, index: c.index, role: c.role, type: c.type, missing: c.missing, distinct: c.distinct, stats: null, categories: null, moreCategories: 0 };
  if (c.type === 'numeric') {
    summary.stats = c.stats;
  } else {
    summary.categories = c.categoryCounts.slice(0, 20).map(([value, count]) => ({ value, count }));
    summary.moreCategories = Math.max(0, c.categoryCounts.length - 20) + c.moreCategories;
    summary.distinct = c.categoryCounts.length + c.moreCategories;
  }
  return summary;
}

async function inspectTable(ref: string, file: string, name: string, options: InspectOptions): Promise<DatasetInspection> {
  const problems: DatasetProblem[] = [];
  let labelColumn = '';
  const scan = await scanTableFile(
    file,
    (header): TableOptions => {
      labelColumn = options.labelColumn ?? header[header.length - 1]!;
      if (!header.includes(labelColumn)) {
        problems.push({ severity: 'error', file: name, column: labelColumn, message: `${name} has no column "${labelColumn}" to use as the label. Its columns are: ${header.join(', ')}.` });
        labelColumn = header[header.length - 1]!;
      }
      return {
        labelColumn,
        ignore: knownColumns(options.ignore, header, name, 'a column to ignore', problems),
        categorical: knownColumns(options.categorical, header, name, 'a categorical column', problems),
        task: options.task,
        maxCategories: options.maxCategories,
        ...(options.badValues ? { badValues: Object.fromEntries(Object.entries(options.badValues).filter(([c]) => header.includes(c))) } : {}),
      };
    },
    { signal: options.signal, onProgress: options.onProgress },
  );
  const { header, analysis } = scan;
  // Problems in the order a person fixes them: the rows that do not fit the header come first.
  const fieldProblems: DatasetProblem[] = scan.badRows.map((r) => ({ severity: 'error', file: name, line: r.line, message: wrongFieldCountMessage(name, r, header.length) }));
  if (scan.badRowCount > 5) fieldProblems.push({ severity: 'error', file: name, message: `${name}: ${scan.badRowCount.toLocaleString('en-US')} rows in all have a different number of fields than the header.` });
  problems.unshift(...fieldProblems);
  if (scan.dropped) problems.push({ severity: 'warning', file: name, message: `${name}: ${scan.dropped.toLocaleString('en-US')} rows with non-numbers are left out, as you chose.` });
  const kept = analysis.rows;
  const maxCategories = options.maxCategories ?? 200;
  const asMissing = new Set(Object.entries(options.badValues ?? {}).filter(([, how]) => how === 'missing').map(([c]) => c));
  const columns = analysis.columns.map((c) => summarizeColumn(c));
  for (const [i, c] of analysis.columns.entries()) {
    const summary = columns[i]!;
    if (c.role !== 'feature') continue;
    if (c.badValue && asMissing.has(c.name)) {
      problems.push({ severity: 'warning', file: name, column: c.name, message: `${name}, column "${c.name}": ${c.badValue.count.toLocaleString('en-US')} non-numbers are read as missing values and filled with the mean of the training split, as you chose.` });
    } else if (c.badValue) problems.push({ severity: 'error', file: name, line: c.badValue.line, column: c.name, message: badValueMessage(name, c.name, c.badValue), fixes: badValueFixes(c) });
    if (c.decimalComma) problems.push({ severity: 'error', file: name, column: c.name, message: decimalCommaMessage(name, c.name, c.decimalComma), fixes: [{ option: 'categorical', column: c.name, adds: Math.max(0, c.distinct - 1) }] });
    else if (c.type === 'categorical' && c.distinct > maxCategories) problems.push({ severity: 'error', file: name, column: c.name, message: tooManyCategoriesMessage(name, c.name, c.distinct, maxCategories), fixes: [{ option: 'ignore', column: c.name }] });
    else if (kept >= 20 && summary.distinct === kept && (c.type === 'categorical' || (summary.stats && Number.isInteger(summary.stats.min) && summary.stats.max - summary.stats.min === kept - 1))) {
      problems.push({ severity: 'warning', file: name, column: c.name, message: `${name}, column "${c.name}": every row has a different value; it looks like a row identifier, which tells the model nothing. Consider ignoring it.`, fixes: [{ option: 'ignore', column: c.name }] });
    }
    if (c.missing > 0) {
      problems.push({
        severity: 'warning',
        file: name,
        column: c.name,
        message: `${name}, column "${c.name}": ${c.missing.toLocaleString('en-US')} of ${kept.toLocaleString('en-US')} values are missing; ${c.type === 'numeric' ? 'they are filled with the mean of the training split' : 'they get no category (all zeros)'}.`,
      });
    }
    if (summary.distinct === 1) problems.push({ severity: 'warning', file: name, column: c.name, message: `${name}, column "${c.name}" has the same value in every row; it tells the model nothing.`, fixes: [{ option: 'ignore', column: c.name }] });
  }
  const label = analysis.label;
  if (label.missingLine !== null) problems.push({ severity: 'error', file: name, line: label.missingLine, column: labelColumn, message: `${name} line ${label.missingLine}, column "${labelColumn}": the label is missing.` });
  if (label.strayNonNumbers) problems.push({ severity: 'error', file: name, line: label.strayNonNumbers.line, column: labelColumn, message: strayLabelsMessage(name, labelColumn, label.strayNonNumbers, kept) });
  if (label.task === 'regression' && label.notNumber) {
    problems.push({ severity: 'error', file: name, line: label.notNumber.line, column: labelColumn, message: `${name} line ${label.notNumber.line}, column "${labelColumn}": "${label.notNumber.raw.slice(0, 40)}" is not a number, so the label cannot be a regression target.` });
  }
  const hasLabels = label.classes.length > 0 || label.target !== null;
  const task = hasLabels ? label.task : null;
  let classes: DatasetInspection['classes'] = [];
  let imbalance: DatasetInspection['imbalance'] = null;
  let target: ColumnStats | null = null;
  if (task === 'classification') {
    const names = label.classes.map((c) => c.name);
    const y = Float32Array.from(label.classes.flatMap((c, k) => new Array<number>(c.count).fill(k)));
    ({ classes, imbalance } = classSummary(names, y, problems, name));
    if (names.length > MAX_CLASSES) problems.push({ severity: 'error', file: name, column: labelColumn, message: tooManyClassesMessage(name, names.length, labelColumn) });
    if (names.length < 2) problems.push({ severity: 'error', file: name, column: labelColumn, message: `${name}, column "${labelColumn}": the label has only one class ("${names[0]}"); a classifier needs at least two.` });
  } else if (task === 'regression') {
    target = label.target;
  }
  if (analysis.features.length === 0) problems.push({ severity: 'error', file: name, message: `${name} has no feature columns besides the label "${labelColumn}".` });
  const ok = !problems.some((p) => p.severity === 'error');
  const inputShape = ok ? [inputUnits(analysis)] : null;
  if (ok) {
    const needed = tableBytes(analysis);
    if (needed > memoryBudgetBytes()) {
      problems.push({ severity: 'error', file: name, message: `${name} has ${kept.toLocaleString('en-US')} rows × ${inputShape![0]!.toLocaleString('en-US')} inputs: training on it needs about ${(needed / 2 ** 20).toFixed(0)} MB, more than the ${(memoryBudgetBytes() / 2 ** 20).toFixed(0)} MB Glasswing allows itself. Ignore some columns, or use a sample of the rows.` });
    }
  }
  return {
    ref,
    name,
    kind: 'table',
    task,
    count: scan.records,
    labelColumn,
    columns,
    classes,
    target,
    imbalance,
    inputShape: problems.some((p) => p.severity === 'error') ? null : inputShape,
    header,
    firstRows: scan.firstRows,
    sampleImages: [],
    report: null,
    problems,
    ok: !problems.some((p) => p.severity === 'error'),
  };
}

/** A few images per class as small PNG data URLs. */
async function sampleImages(dataset: Dataset, files: string[] | null, perClass: number): Promise<SampleImage[]> {
  const { default: sharp } = await import('sharp');
  const [height, width, channels] = dataset.inputShape as [number, number, number];
  const size = height * width * channels;
  const perClassCap = Math.max(0, Math.min(perClass, Math.floor(40 / Math.max(1, dataset.classes.length)) || 1));
  const taken = new Array<number>(dataset.classes.length).fill(0);
  const out: SampleImage[] = [];
  for (let i = 0; i < dataset.count && out.length < 40; i++) {
    const k = dataset.y[i]!;
    if (taken[k]! >= perClassCap) continue;
    taken[k]!++;
    const bytes = dataset.x instanceof Uint8Array ? Buffer.from(dataset.x.buffer, dataset.x.byteOffset + i * size, size) : Buffer.from(Uint8Array.from(dataset.x.subarray(i * size, (i + 1) * size), (v) => Math.max(0, Math.min(255, Math.round(v)))));
    const png = await sharp(bytes, { raw: { width, height, channels: channels as 1 | 3 } }).png().toBuffer();
    out.push({ class: dataset.classes[k]!, file: files?.[i] ?? `#${i + 1}`, dataUrl: `data:image/png;base64,${png.toString('base64')}`, width, height, channels });
  }
  return out;
}

async function inspectImages(ref: string, dataset: Dataset, files: string[] | null, report: ImportReport | null, options: InspectOptions): Promise<DatasetInspection> {
  const problems: DatasetProblem[] = [];
  const name = dataset.name;
  for (const s of (report?.skipped ?? []).slice(0, 20)) problems.push({ severity: 'warning', file: s.file, message: `${s.file} was skipped: ${s.reason}.` });
  if (report && report.skipped.length > 20) problems.push({ severity: 'warning', file: name, message: `${report.skipped.length.toLocaleString('en-US')} files in all were skipped.` });
  for (const w of report?.warnings ?? []) problems.push({ severity: 'warning', file: name, message: w });
  const { classes, imbalance } = classSummary(dataset.classes, dataset.y, problems, name);
  return {
    ref,
    name,
    kind: 'images',
    task: 'classification',
    count: dataset.count,
    labelColumn: null,
    columns: [],
    classes,
    target: null,
    imbalance,
    inputShape: dataset.inputShape,
    header: [],
    firstRows: [],
    sampleImages: await sampleImages(dataset, files, options.samplesPerClass ?? 4),
    report,
    problems,
    ok: true,
  };
}

export async function inspectDataset(ref: string, options: InspectOptions = {}): Promise<DatasetInspection> {
  const kind = await resolveRef(ref);
  if (kind === 'builtin') {
    if (ref === 'iris') return inspectTable(ref, path.join(assetsDir(), 'datasets', 'iris.csv'), 'iris.csv', { ...options, labelColumn: options.labelColumn ?? 'species' });
    return inspectImages(ref, loadMnist(), null, null, options);
  }
  if (kind === 'folder') {
    const { dataset, report, files } = await loadImageFolder(ref, options);
    return inspectImages(ref, dataset, files, report, options);
  }
  return inspectTable(ref, ref, path.basename(ref), options);
}
