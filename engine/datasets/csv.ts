// CSV/TSV tables: delimiter and quoting detected, a header row, a label column chosen by name
// (the last column by default). Every problem names the file, line and column.
import { DataError, type Dataset, type Task } from './dataset';

export interface ParsedTable {
  header: string[];
  /** Data rows with the 1-based line number they came from. */
  rows: { line: number; fields: string[] }[];
  delimiter: string;
}

const DELIMITERS = [',', '\t', ';', '|'];

function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** RFC 4180 parsing: quoted fields may hold delimiters, doubled quotes and newlines. */
export function parseCsv(text: string, fileName: string): ParsedTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new DataError(`${fileName} is empty.`);
  const firstLineEnd = text.search(/\r?\n/);
  const delimiter = detectDelimiter(firstLineEnd < 0 ? text : text.slice(0, firstLineEnd));
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      fieldStarted = false;
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new DataError(`${fileName} line ${recordLine}: a quoted field is never closed.`);
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  const [head, ...rows] = records;
  if (!head) throw new DataError(`${fileName} is empty.`);
  const header = head.fields.map((h) => h.trim());
  if (rows.length === 0) throw new DataError(`${fileName} has a header but no data rows.`);
  for (const r of rows) {
    if (r.fields.length !== header.length) {
      throw new DataError(`${fileName} line ${r.line} has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}; the header has ${header.length}.`);
    }
  }
  return { header, rows, delimiter };
}

function parseNumber(raw: string): number | null {
  const s = raw.trim();
  if (s === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

export interface TableOptions {
  labelColumn?: string;
  /** Columns left out of the features. */
  ignore?: string[];
}

/** Turns a parsed table into a dataset of numeric features and a label. */
export function tableDataset(table: ParsedTable, fileName: string, id: string, options: TableOptions = {}): Dataset {
  const labelColumn = options.labelColumn ?? table.header[table.header.length - 1]!;
  const labelIndex = table.header.indexOf(labelColumn);
  if (labelIndex < 0) {
    throw new DataError(`${fileName} has no column "${labelColumn}". Its columns are: ${table.header.join(', ')}.`);
  }
  const ignore = new Set(options.ignore ?? []);
  const featureIdx = table.header.map((_, i) => i).filter((i) => i !== labelIndex && !ignore.has(table.header[i]!));
  if (featureIdx.length === 0) throw new DataError(`${fileName} has no feature columns besides the label "${labelColumn}".`);
  const n = table.rows.length;
  const x = new Float32Array(n * featureIdx.length);
  table.rows.forEach((row, r) => {
    featureIdx.forEach((c, j) => {
      const v = parseNumber(row.fields[c]!);
      if (v === null) {
        const raw = row.fields[c]!.trim();
        throw new DataError(
          raw === ''
            ? `${fileName} line ${row.line}, column "${table.header[c]}": the value is missing.`
            : `${fileName} line ${row.line}, column "${table.header[c]}": "${raw.slice(0, 40)}" is not a number. Treat the column as categorical or ignore it.`,
        );
      }
      x[r * featureIdx.length + j] = v;
    });
  });
  const labels = table.rows.map((r) => r.fields[labelIndex]!.trim());
  const missing = labels.findIndex((l) => l === '');
  if (missing >= 0) throw new DataError(`${fileName} line ${table.rows[missing]!.line}: the label "${labelColumn}" is missing.`);
  const task = detectTask(labels);
  const y = new Float32Array(n);
  let classes: string[] = [];
  if (task === 'classification') {
    classes = [...new Set(labels)].sort((a, b) => {
      const na = Number(a);
      const nb = Number(b);
      return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
    });
    if (classes.length < 2) throw new DataError(`${fileName}: the label "${labelColumn}" has only one class ("${classes[0]}"); a classifier needs at least two.`);
    const index = new Map(classes.map((c, i) => [c, i]));
    labels.forEach((l, i) => (y[i] = index.get(l)!));
  } else {
    labels.forEach((l, i) => (y[i] = Number(l)));
  }
  return {
    id,
    name: fileName,
    kind: 'table',
    task,
    x,
    inputShape: [featureIdx.length],
    y,
    classes,
    count: n,
    featureNames: featureIdx.map((i) => table.header[i]!),
    fixedPreprocessing: null,
  };
}

/** A label of numbers with many distinct or fractional values is a regression target. */
export function detectTask(labels: string[]): Task {
  const numbers = labels.map(parseNumber);
  if (numbers.some((v) => v === null)) return 'classification';
  const distinct = new Set(numbers);
  const fractional = numbers.some((v) => !Number.isInteger(v));
  return fractional || distinct.size > 20 ? 'regression' : 'classification';
}
