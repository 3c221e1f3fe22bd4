// RFC 4180 records from text that arrives in pieces (a file read as a stream) or all at once:
// quoted fields may hold delimiters, doubled quotes and newlines; CRLF, LF and lone CR end a
// record; a record of one blank field (a blank line) is skipped. Spaces before an opening quote
// are dropped; text after a closing quote is kept. Line numbers count every newline, also those
// inside quotes, so messages name the line a person sees in an editor.

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** The delimiter that splits the header line into the most fields (outside quotes). */
export function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    let count = 0;
    let quoted = false;
    for (const c of firstLine) {
      if (c === '"') quoted = !quoted;
      else if (c === d && !quoted) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

export class CsvTokenizer {
  private fields: string[] = [];
  private field = '';
  /** Inside a quoted field. */
  private quoted = false;
  /** A quote was just seen inside a quoted field: the next character decides (another quote, or the end). */
  private quoteInQuotes = false;
  /** The current field has seen a character other than leading blanks (so a quote is data). */
  private started = false;
  /** A CR ended the last piece: an LF at the start of the next one belongs to it. */
  private afterCR = false;
  private line = 1;
  private recordLine = 1;
  private readonly delimiter: number;

  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** The line the current (unfinished) record started on: where an unclosed quote began. */
  get openRecordLine(): number {
    return this.recordLine;
  }

  get insideQuotes(): boolean {
    return this.quoted && !this.quoteInQuotes;
  }

  private endRecord(emit: (r: CsvRecord) => void): void {
    const fields = this.fields;
    this.fields = [];
    if (!(fields.length === 1 && fields[0]!.trim() === '')) emit({ line: this.recordLine, fields });
  }

  /** Tokenizes `text`, calling `emit` for every record it completes. */
  feed(text: string, emit: (r: CsvRecord) => void): void {
    const n = text.length;
    const d = this.delimiter;
    // Unquoted runs are sliced out of the text, not built character by character.
    let start = 0;
    let i = 0;
    if (this.afterCR) {
      this.afterCR = false;
      if (n > 0 && text.charCodeAt(0) === LF) {
        i = 1;
        start = 1;
      }
    }
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (this.quoteInQuotes) {
        this.quoteInQuotes = false;
        if (c === QUOTE) {
          // A doubled quote: one quote of data; the field stays quoted.
          this.field += '"';
          start = i + 1;
          continue;
        }
        this.quoted = false;
        start = i;
        // Fall through: this character is read as outside the quotes.
      } else if (this.quoted) {
        if (c === QUOTE) {
          this.field += text.slice(start, i);
          this.quoteInQuotes = true;
          start = i + 1;
        } else if (c === LF) this.line++;
        continue;
      }
      if (c === QUOTE && !this.started) {
        this.quoted = true;
        this.started = true;
        this.field = '';
        start = i + 1;
      } else if (c === d) {
        this.fields.push(this.field + text.slice(start, i));
        this.field = '';
        this.started = false;
        start = i + 1;
      } else if (c === LF || c === CR) {
        this.fields.push(this.field + text.slice(start, i));
        this.field = '';
        this.started = false;
        this.endRecord(emit);
        if (c === CR) {
          if (i + 1 < n) {
            if (text.charCodeAt(i + 1) === LF) i++;
          } else this.afterCR = true;
        }
        this.line++;
        this.recordLine = this.line;
        start = i + 1;
      } else if (!this.started && c !== SPACE && c !== TAB) {
        this.started = true;
      }
    }
    this.field += text.slice(start, n);
  }

  /** Ends the text: the last record (without a final newline) is emitted. Returns false when a quote is still open. */
  end(emit: (r: CsvRecord) => void): boolean {
    if (this.quoted && !this.quoteInQuotes) return false;
    this.quoteInQuotes = false;
    this.quoted = false;
    if (this.field !== '' || this.fields.length > 0) {
      this.fields.push(this.field);
      this.field = '';
      this.endRecord(emit);
    }
    return true;
  }
}
