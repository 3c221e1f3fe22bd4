// The importer's preview: what a dataset reference holds as the importer sees it — rows or images,
// columns with types and statistics, classes with counts, the first rows, a few images per class,
// and every problem found (each naming the file, line and column, with a fix where there is one).
// It rejects with a DataError only when nothing usable can be read (no such path, an empty file,
// an unreadable file, a folder with fewer than two classes, …).
import path from 'node:path';
import { assetsDir, loadMnist } from './builtin';
import {
  analyzeTable,
  badValueFixes,
  badValueMessage,
  detectTask,
  isMissingMarker,
  parseCsvRecords,
  parseNumber,
  tableDataset,
  tooManyCategoriesMessage,
  wrongFieldCountMessage,
  type ColumnAnalysis,
  type CsvRecord,
  type TableOptions,
} from './csv';
import type { ColumnStats, ColumnSummary, DatasetInspection, DatasetProblem, SampleImage } from '../../common/ipc/contract';
import { DataError, type Dataset, type ImportReport } from './dataset';

export type { ColumnStats, ColumnSummary, DatasetInspection, DatasetProblem, SampleImage };
import { loadImageFolder } from './image-folder';
import { readTableText, resolveRef, type LoadOptions } from './load';

export interface InspectOptions extends LoadOptions {
  /** Sample images per class (default 4, at most 40 in all). */
  samplesPerClass?: number;
}

const IMBALANCE_WARNING = 3;

function stats(values: number[]): ColumnStats | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(ss / values.length) };
}

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

function summarizeColumn(c: ColumnAnalysis, rows: CsvRecord[]): ColumnSummary {
  const summary: ColumnSummary = { name: c.name, index: c.index, role: c.role, type: c.type, missing: c.missing, distinct: c.distinct, stats: null, categories: null, moreCategories: 0 };
  if (c.type === 'numeric') {
    const values: number[] = [];
    for (const r of rows) {
      const raw = r.fields[c.index]!;
      if (isMissingMarker(raw)) continue;
      const v = parseNumber(raw);
      if (v !== null) values.push(v);
    }
    summary.stats = stats(values);
    summary.distinct = new Set(values).size;
  } else {
    const counts = new Map<string, number>();
    for (const r of rows) {
      const s = r.fields[c.index]!.trim();
      if (s !== '') counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    summary.categories = sorted.slice(0, 20).map(([value, count]) => ({ value, count }));
    summary.moreCategories = Math.max(0, sorted.length - 20);
    summary.distinct = sorted.length;
  }
  return summary;
}

async function inspectTable(ref: string, file: string, name: string, options: InspectOptions): Promise<DatasetInspection> {
  const text = await readTableText(file);
  const parsed = parseCsvRecords(text, name);
  const { header } = parsed;
  const problems: DatasetProblem[] = [];
  const good: CsvRecord[] = [];
  let badRows = 0;
  for (const r of parsed.rows) {
    if (r.fields.length === header.length) good.push(r);
    else if (badRows++ < 5) problems.push({ severity: 'error', file: name, line: r.line, message: wrongFieldCountMessage(name, r, header.length) });
  }
  if (badRows > 5) problems.push({ severity: 'error', file: name, message: `${name}: ${badRows.toLocaleString('en-US')} rows in all have a different number of fields than the header.` });
  let labelColumn = options.labelColumn ?? header[header.length - 1]!;
  if (!header.includes(labelColumn)) {
    problems.push({ severity: 'error', file: name, column: labelColumn, message: `${name} has no column "${labelColumn}" to use as the label. Its columns are: ${header.join(', ')}.` });
    labelColumn = header[header.length - 1]!;
  }
  const tableOptions: TableOptions = {
    labelColumn,
    ignore: knownColumns(options.ignore, header, name, 'a column to ignore', problems),
    categorical: knownColumns(options.categorical, header, name, 'a categorical column', problems),
    task: options.task,
    maxCategories: options.maxCategories,
    ...(options.badValues ? { badValues: Object.fromEntries(Object.entries(options.badValues).filter(([c]) => header.includes(c))) } : {}),
  };
  const drop = new Set(Object.entries(options.badValues ?? {}).filter(([, how]) => how === 'drop').map(([c]) => header.indexOf(c)).filter((i) => i >= 0));
  const kept = drop.size ? good.filter((r) => ![...drop].some((i) => { const raw = r.fields[i]!; return !isMissingMarker(raw) && parseNumber(raw) === null; })) : good;
  if (kept.length < good.length) problems.push({ severity: 'warning', file: name, message: `${name}: ${(good.length - kept.length).toLocaleString('en-US')} rows with non-numbers are left out, as you chose.` });
  const table = { header, rows: kept, delimiter: parsed.delimiter };
  const analysis = analyzeTable(table, name, tableOptions);
  const asMissing = new Set(Object.entries(options.badValues ?? {}).filter(([, how]) => how === 'missing').map(([c]) => c));
  const maxCategories = options.maxCategories ?? 200;
  const columns = analysis.columns.map((c) => summarizeColumn(c, kept));
  for (const [i, c] of analysis.columns.entries()) {
    const summary = columns[i]!;
    if (c.role !== 'feature') continue;
    if (c.badValue && asMissing.has(c.name)) {
      problems.push({ severity: 'warning', file: name, column: c.name, message: `${name}, column "${c.name}": ${c.badValue.count.toLocaleString('en-US')} non-numbers are read as missing values and filled with the mean of the training split, as you chose.` });
    } else if (c.badValue) problems.push({ severity: 'error', file: name, line: c.badValue.line, column: c.name, message: badValueMessage(name, c.name, c.badValue), fixes: badValueFixes(c) });
    if (c.type === 'categorical' && c.distinct > maxCategories) problems.push({ severity: 'error', file: name, column: c.name, message: tooManyCategoriesMessage(name, c.name, c.distinct, maxCategories), fixes: [{ option: 'ignore', column: c.name }] });
    else if (kept.length >= 20 && summary.distinct === kept.length && (c.type === 'categorical' || (summary.stats && Number.isInteger(summary.stats.min) && summary.stats.max - summary.stats.min === kept.length - 1))) {
      problems.push({ severity: 'warning', file: name, column: c.name, message: `${name}, column "${c.name}": every row has a different value; it looks like a row identifier, which tells the model nothing. Consider ignoring it.`, fixes: [{ option: 'ignore', column: c.name }] });
    }
    if (c.missing > 0) {
      problems.push({
        severity: 'warning',
        file: name,
        column: c.name,
        message: `${name}, column "${c.name}": ${c.missing.toLocaleString('en-US')} of ${kept.length.toLocaleString('en-US')} values are missing; ${c.type === 'numeric' ? 'they are filled with the mean of the training split' : 'they get no category (all zeros)'}.`,
      });
    }
    if (summary.distinct === 1) problems.push({ severity: 'warning', file: name, column: c.name, message: `${name}, column "${c.name}" has the same value in every row; it tells the model nothing.`, fixes: [{ option: 'ignore', column: c.name }] });
  }
  const labelIndex = header.indexOf(labelColumn);
  const labels = kept.map((r) => r.fields[labelIndex]!.trim());
  const missingLabel = kept.find((r) => r.fields[labelIndex]!.trim() === '');
  if (missingLabel) problems.push({ severity: 'error', file: name, line: missingLabel.line, column: labelColumn, message: `${name} line ${missingLabel.line}, column "${labelColumn}": the label is missing.` });
  const present = labels.filter((l) => l !== '');
  const task = present.length ? (options.task ?? detectTask(present)) : null;
  let classes: DatasetInspection['classes'] = [];
  let imbalance: DatasetInspection['imbalance'] = null;
  let target: ColumnStats | null = null;
  if (task === 'classification') {
    const names = [...new Set(present)].sort((a, b) => {
      const na = Number(a);
      const nb = Number(b);
      return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
    });
    const index = new Map(names.map((c, i) => [c, i]));
    ({ classes, imbalance } = classSummary(names, Float32Array.from(present, (l) => index.get(l)!), problems, name));
    if (names.length < 2) problems.push({ severity: 'error', file: name, column: labelColumn, message: `${name}, column "${labelColumn}": the label has only one class ("${names[0]}"); a classifier needs at least two.` });
  } else if (task === 'regression') {
    target = stats(present.map(Number));
  }
  if (analysis.features.length === 0) problems.push({ severity: 'error', file: name, message: `${name} has no feature columns besides the label "${labelColumn}".` });
  let inputShape: number[] | null = null;
  if (!problems.some((p) => p.severity === 'error')) {
    try {
      inputShape = tableDataset(table, name, ref, tableOptions).inputShape;
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      problems.push({ severity: 'error', file: name, message: e.message });
    }
  }
  return {
    ref,
    name,
    kind: 'table',
    task,
    count: parsed.rows.length,
    labelColumn,
    columns,
    classes,
    target,
    imbalance,
    inputShape,
    header,
    firstRows: parsed.rows.slice(0, 10).map((r) => r.fields),
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
