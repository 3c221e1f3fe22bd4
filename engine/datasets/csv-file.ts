// A CSV/TSV file read as a stream, in two passes (table-analysis.ts): memory follows the numbers
// the table holds, not its text, and progress is reported as the bytes go by. Before the second
// pass the memory the dataset will need is estimated; a table over the budget is refused with the
// figures, so a huge file says so instead of exhausting the machine.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { CsvTokenizer, detectDelimiter, type CsvRecord } from './csv-tokenizer';
import { headerNames, checkAnalysis, wrongFieldCountMessage } from './csv';
import { DataError, ImportCancelledError, fsReason, type Dataset, type ImportProgress } from './dataset';
import { dropBadRows, inputUnits, TableAnalyzer, TableBuilder, type TableAnalysis, type TableOptions } from './table-analysis';

export interface ReadOptions {
  onProgress?: (done: number, total: number, progress: ImportProgress) => void;
  signal?: AbortSignal;
}

/** The memory a dataset may take (GLASSWING_MEMORY_BUDGET_MB; default 1,024 MB). */
export function memoryBudgetBytes(): number {
  const mb = Number(process.env['GLASSWING_MEMORY_BUDGET_MB']);
  return (mb > 0 ? mb : 1024) * 2 ** 20;
}

/** What a table of `rows` rows and this analysis needs in memory once read (values, encoded inputs, splits). */
export function tableBytes(analysis: TableAnalysis): number {
  const units = inputUnits(analysis);
  return analysis.rows * (4 * analysis.features.length + 4 * units * 2 + 12);
}

const MB = (bytes: number) => `${(bytes / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 0 })} MB`;

/** Refuses binary files (an image, an archive, anything with NUL bytes) before parsing them. */
async function checkText(file: string, name: string): Promise<number> {
  let size: number;
  let head = Buffer.alloc(0);
  try {
    size = (await stat(file)).size;
    const handle = await open(file, 'r');
    try {
      head = Buffer.alloc(Math.min(size, 4096));
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw new DataError(`Cannot read ${file}: ${fsReason(e)}.`);
  }
  const magic = head.length >= 4 && ((head[0] === 0x89 && head[1] === 0x50) || (head[0] === 0xff && head[1] === 0xd8) || (head[0] === 0x50 && head[1] === 0x4b));
  if (magic) throw new DataError(`${name} line 1: this is a binary file (an image or an archive), not a CSV or TSV table.`);
  if (head.includes(0)) throw new DataError(`${name} line 1: the file holds binary data; it is not a CSV or TSV text file.`);
  if (size === 0 || head.toString('utf8').trim() === '' && size <= head.length) throw new DataError(`${name} is empty.`);
  return size;
}

export interface CsvPass {
  header: string[];
  headerLine: number;
  delimiter: string;
  /** Data records read. */
  records: number;
}

/**
 * Streams the file's records: the header first (to `onHeader`), then every data record. Throws a
 * DataError for an empty file, a header without rows, or a quote never closed.
 */
export async function streamCsv(file: string, name: string, onHeader: (header: string[]) => void, onRecord: (r: CsvRecord) => void, options: ReadOptions & { phase?: ImportProgress['phase'] } = {}): Promise<CsvPass> {
  const size = await checkText(file, name);
  const started = Date.now();
  let lastProgress = 0;
  let read = 0;
  let tokenizer: CsvTokenizer | null = null;
  let delimiter = ',';
  let header: string[] | null = null;
  let headerLine = 1;
  let records = 0;
  let pending = '';
  const emit = (r: CsvRecord) => {
    if (!header) {
      header = headerNames(r, name);
      headerLine = r.line;
      onHeader(header);
      return;
    }
    records++;
    onRecord(r);
  };
  const progress = (force: boolean) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastProgress < 100)) return;
    lastProgress = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? read / seconds : 0;
    options.onProgress(read, size, { phase: options.phase ?? 'reading', done: read, total: size, rate, etaSeconds: rate > 0 ? (size - read) / rate : null, skipped: 0 });
  };
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      if (options.signal?.aborted) throw new ImportCancelledError(file);
      read += Buffer.byteLength(chunk);
      let text = chunk;
      if (!tokenizer) {
        // The delimiter is decided by the first line: wait until it is complete.
        pending += text;
        if (pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
        const end = pending.search(/\r?\n/);
        if (end < 0) continue;
        delimiter = detectDelimiter(pending.slice(0, end));
        tokenizer = new CsvTokenizer(delimiter);
        text = pending;
        pending = '';
      }
      tokenizer.feed(text, emit);
      progress(false);
    }
  } catch (e) {
    stream.destroy();
    if (e instanceof DataError || e instanceof ImportCancelledError) throw e;
    throw new DataError(`Cannot read ${file}: ${fsReason(e)}.`);
  }
  if (!tokenizer) {
    if (pending.trim() === '') throw new DataError(`${name} is empty.`);
    delimiter = detectDelimiter(pending);
    tokenizer = new CsvTokenizer(delimiter);
    tokenizer.feed(pending, emit);
  }
  if (!tokenizer.end(emit)) throw new DataError(`${name} line ${tokenizer.openRecordLine}: a quoted field is never closed.`);
  if (!header) throw new DataError(`${name} is empty.`);
  if (records === 0) throw new DataError(`${name} has a header but no data rows.`);
  progress(true);
  return { header, headerLine, delimiter, records };
}

/**
 * Loads a table file as a dataset in two streamed passes. Rows with the wrong number of fields stop
 * the load (naming the line); a table over the memory budget is refused before its values are read.
 */
export async function loadTableFile(file: string, id: string, options: TableOptions & ReadOptions = {}): Promise<{ dataset: Dataset; records: number; dropped: number }> {
  const name = path.basename(file);
  let analyzer: TableAnalyzer | null = null;
  let drop: ((r: CsvRecord) => boolean) | null = null;
  let columns = 0;
  const first = await streamCsv(
    file,
    name,
    (header) => {
      columns = header.length;
      drop = dropBadRows(header, name, options.badValues);
      analyzer = new TableAnalyzer(header, name, options);
    },
    (r) => {
      if (r.fields.length !== columns) throw new DataError(wrongFieldCountMessage(name, r, columns));
      if (!drop?.(r)) analyzer!.add(r);
    },
    { ...options, phase: 'reading' },
  );
  const analysis = analyzer!.finish();
  if (analysis.rows === 0) throw new DataError(`${name}: dropping the rows with non-numbers leaves no rows.`);
  checkAnalysis(analysis, name, options);
  const needed = tableBytes(analysis);
  const budget = memoryBudgetBytes();
  if (needed > budget) {
    throw new DataError(
      `${name} has ${analysis.rows.toLocaleString('en-US')} rows × ${inputUnits(analysis).toLocaleString('en-US')} inputs: training on it needs about ${MB(needed)}, more than the ${MB(budget)} Glasswing allows itself (GLASSWING_MEMORY_BUDGET_MB). Ignore some columns, or use a sample of the rows.`,
    );
  }
  const builder = new TableBuilder(analysis, name);
  await streamCsv(
    file,
    name,
    () => undefined,
    (r) => {
      if (!drop?.(r)) builder.add(r);
    },
    { ...options, phase: 'decoding' },
  );
  return { dataset: builder.dataset(id, name), records: first.records, dropped: first.records - analysis.rows };
}

export interface TableScan {
  header: string[];
  /** The first 10 data rows as they are in the file. */
  firstRows: string[][];
  /** Data records in the file (rows with the wrong number of fields included). */
  records: number;
  /** Rows with the wrong number of fields: the first few, and how many in all. */
  badRows: CsvRecord[];
  badRowCount: number;
  /** Rows a 'drop' fix leaves out. */
  dropped: number;
  analysis: TableAnalysis;
}

/**
 * One streamed pass for the importer's preview: tolerant of bad rows (listed, not thrown).
 * `optionsFor` sees the header first and returns the options to read it with (the preview drops
 * options that name columns the file lacks, and lists them as problems instead).
 */
export async function scanTableFile(file: string, optionsFor: (header: string[]) => TableOptions, read: ReadOptions = {}): Promise<TableScan> {
  const name = path.basename(file);
  let analyzer: TableAnalyzer | null = null;
  let drop: ((r: CsvRecord) => boolean) | null = null;
  let header: string[] = [];
  const firstRows: string[][] = [];
  const badRows: CsvRecord[] = [];
  let badRowCount = 0;
  let dropped = 0;
  const pass = await streamCsv(
    file,
    name,
    (h) => {
      header = h;
      const options = optionsFor(h);
      drop = dropBadRows(h, name, options.badValues);
      analyzer = new TableAnalyzer(h, name, options);
    },
    (r) => {
      if (firstRows.length < 10) firstRows.push(r.fields);
      if (r.fields.length !== header.length) {
        if (badRowCount++ < 5) badRows.push(r);
        return;
      }
      if (drop?.(r)) dropped++;
      else analyzer!.add(r);
    },
    { ...read, phase: 'reading' },
  );
  return { header, firstRows, records: pass.records, badRows, badRowCount, dropped, analysis: analyzer!.finish() };
}
