import Papa from 'papaparse';

/** A CSV record with the 0-based index of the record in the file (header = record 0). */
export interface CsvRecord {
  index: number;
  fields: string[];
  /** Set when the record is malformed at the CSV level (bad quoting). */
  error?: string;
}

/**
 * Push-style CSV parsing on top of papaparse's core parser, so that text can be fed chunk by
 * chunk as it arrives from the network. Papaparse's own streamers cannot read a fetch body.
 * The unfinished last record of each chunk is kept and re-parsed with the next chunk.
 */
export class CsvStreamParser {
  private buffer = '';
  private parser: Papa.Parser | null = null;
  private next = 0;

  constructor(private readonly onRecords: (records: CsvRecord[]) => void) {}

  push(text: string): void {
    this.buffer += text;
    // Wait for enough text to see the line-ending style (outside quoted fields).
    if (!this.parser && this.buffer.length < 65536) return;
    this.run(false);
  }

  end(): void {
    this.run(true);
  }

  private run(final: boolean): void {
    if (this.buffer === '') return;
    this.parser ??= new Papa.Parser({ delimiter: ',', newline: detectNewline(this.buffer) });
    const result = this.parser.parse(this.buffer, 0, !final) as Papa.ParseResult<string[]>;
    const problems = new Map<number, string>();
    for (const e of result.errors) {
      if (typeof e.row !== 'number') continue;
      problems.set(
        e.row,
        e.code === 'MissingQuotes'
          ? 'a quoted field is never closed (a missing `"`), so the rest of the file was read as one field'
          : `bad quoting in CSV (${e.message})`,
      );
    }
    const records: CsvRecord[] = [];
    result.data.forEach((fields, i) => {
      // Blank lines are not records.
      if (fields.length === 1 && fields[0].trim() === '' && !problems.has(i)) return;
      records.push({ index: this.next++, fields, error: problems.get(i) });
    });
    this.buffer = final ? '' : this.buffer.slice(result.meta.cursor);
    if (records.length > 0) this.onRecords(records);
  }
}

/** The first line break outside quotes decides: CRLF, LF or CR. */
export function detectNewline(text: string): '\r\n' | '\n' | '\r' {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (c === '\n') return '\n';
      return text[i + 1] === '\n' ? '\r\n' : '\r';
    }
  }
  return '\n';
}
