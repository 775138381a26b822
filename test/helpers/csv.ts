import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** Parses CSV text with an independent RFC 4180 parser: header row plus records as objects. */
export function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const matrix: string[][] = parse(text, { relax_column_count: false });
  const [header = [], ...body] = matrix;
  const rows = body.map((cells) =>
    Object.fromEntries(header.map((name, index) => [name, cells[index] ?? ''])),
  );
  return { header, rows };
}

export function readCsv(file: string) {
  return parseCsv(readFileSync(file, 'utf8'));
}
