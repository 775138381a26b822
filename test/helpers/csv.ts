import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ATHENA_ESCAPE_CHAR } from '../../functions/datasets/csv';
import { readLikeOpenCsvSerde } from './open-csv-serde';

/**
 * Parses CSV text with an independent RFC 4180 parser: header row plus records as objects. Every
 * curated file a test reads is also read the way Athena reads it (OpenCSVSerDe with the table's
 * escape character): a cell that would come back different fails the test.
 */
export function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const matrix: string[][] = parse(text, { relax_column_count: false });
  const athena = readLikeOpenCsvSerde(text, ATHENA_ESCAPE_CHAR);
  matrix.forEach((cells, row) => {
    cells.forEach((cell, column) => {
      const seen = athena[row]?.[column];
      if (seen !== cell) {
        throw new Error(
          `Athena would read row ${row + 1}, column ${column + 1} as ${JSON.stringify(seen)}, not ${JSON.stringify(cell)}`,
        );
      }
    });
  });
  const [header = [], ...body] = matrix;
  const rows = body.map((cells) =>
    Object.fromEntries(header.map((name, index) => [name, cells[index] ?? ''])),
  );
  return { header, rows };
}

export function readCsv(file: string) {
  return parseCsv(readFileSync(file, 'utf8'));
}
