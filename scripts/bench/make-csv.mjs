// Builds the large bench CSV from CMExam's val.csv: copies of its rows, each made unique, so
// that the app stores every one. Written only under .cache/bench (git-ignored): dataset rows
// must never land in the repository.
import { readFileSync, writeFileSync, renameSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Papa from 'papaparse';

/**
 * Writes `rows` data rows to `out`: val.csv's rows repeated in order, with " [copy k]" added to
 * the Question of copy k ≥ 1. Returns the sizes of the source and the result.
 */
export function makeBenchCsv(source, out, rows) {
  const text = readFileSync(source, 'utf8');
  const parsed = Papa.parse(text, { skipEmptyLines: true });
  if (parsed.errors.length > 0) {
    throw new Error(
      `${source}: ${parsed.errors.length} CSV errors, first: ${parsed.errors[0].message}`,
    );
  }
  const [header, ...data] = parsed.data;
  const question = header.indexOf('Question');
  if (question < 0) throw new Error(`${source} has no Question column`);
  const copies = [];
  for (let i = 0; i < rows; i++) {
    const k = Math.floor(i / data.length);
    const row = data[i % data.length];
    copies.push(k === 0 ? row : row.map((f, c) => (c === question ? `${f} [copy ${k}]` : f)));
  }
  // unparse quotes fields that need it (the multi-line Options); the source uses LF.
  const csv = Papa.unparse({ fields: header, data: copies }, { newline: '\n' }) + '\n';
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, csv);
  renameSync(`${out}.tmp`, out);
  return { sourceRows: data.length, rows: copies.length, bytes: statSync(out).size };
}
