import { Parser } from '@json2csv/plainjs';
import { parse } from 'csv-parse/sync';
import type { ColumnSpec, DatasetSpec } from './columns';

export interface CsvOptions {
  /** Prefix cells a spreadsheet would run as a formula with `'` (OWASP CSV-injection advice). */
  readonly neutralizeFormulas: boolean;
}

/** RFC 4180 line ending; tools that split on `\n` still see one row per line. */
const EOL = '\r\n';
export const LIST_SEPARATOR = '|';
/**
 * A `|` inside one element (the band AC|DC) is written as `¦` (U+00A6), so that splitting the cell on
 * `|` (Athena's `split`, pandas' `str.split`) always gives one element per artist, aligned with its id.
 */
export const SEPARATOR_IN_ITEM = '\u00a6';
/**
 * The Athena tables' OpenCSVSerDe escape character (resources/analytics.yml): one the pipeline never
 * writes (control characters are removed from every cell), so Athena reads backslashes as written.
 */
export const ATHENA_ESCAPE_CHAR = '\u0001';
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;
const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];

/**
 * Reversible: a cell that starts like a formula, or with the quote itself, gets one `'` in front;
 * `restoreFormula` takes exactly one away again, so the original text can always be recovered.
 */
export function neutralizeFormula(cell: string): string {
  return cell.startsWith("'") || FORMULA_TRIGGERS.some((trigger) => cell.startsWith(trigger))
    ? `'${cell}`
    : cell;
}

export function restoreFormula(cell: string): string {
  const rest = cell.slice(1);
  return cell.startsWith("'") && (rest.startsWith("'") || FORMULA_TRIGGERS.some((t) => rest.startsWith(t)))
    ? rest
    : cell;
}

type Cell = string | number | boolean | null | readonly (string | null)[];

function formatValue(value: Cell): string {
  if (value === null) return '';
  // Names were cleaned in Transform; ids and links from a hostile answer get the same treatment here.
  if (typeof value === 'object') {
    return value
      .map((item) => (item ?? '').replaceAll(LIST_SEPARATOR, SEPARATOR_IN_ITEM))
      .join(LIST_SEPARATOR)
      .replace(CONTROL_CHARACTERS, ' ');
  }
  return typeof value === 'string' ? value.replace(CONTROL_CHARACTERS, ' ') : String(value);
}

function formatCell(value: Cell, spec: ColumnSpec, options: CsvOptions): string {
  const cell = formatValue(value);
  return spec.type === 'string' && options.neutralizeFormulas ? neutralizeFormula(cell) : cell;
}

/** RFC 4180 quoting: only cells holding a quote, comma or line break are quoted; quotes are doubled. */
const NEEDS_QUOTES = /[",\r\n]/;
function quoteIfNecessary(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** The whole CSV document: header row plus one row per record, UTF-8 text with CRLF line ends. */
export function renderCsv<Name extends string>(
  dataset: DatasetSpec<Name>,
  records: readonly Record<Name, Cell>[],
  options: CsvOptions,
): string {
  type R = Record<Name, Cell>;
  // Function getters format each cell straight from the record (no intermediate row objects).
  const parser = new Parser<R, R>({
    fields: dataset.columns.map((spec) => ({
      label: spec.name,
      value: (record: R) => formatCell(record[spec.name], spec, options),
    })),
    eol: EOL,
    formatters: { string: quoteIfNecessary, header: quoteIfNecessary },
  });
  // json2csv renders an empty input as the header alone, without a line end; keep the file shape uniform.
  return `${parser.parse([...records])}${EOL}`;
}

function parseCell(text: string, spec: ColumnSpec, options: CsvOptions): unknown {
  const raw = spec.type === 'string' && options.neutralizeFormulas ? restoreFormula(text) : text;
  if (spec.list)
    return raw === '' ? [] : raw.split(LIST_SEPARATOR).map((item) => (item === '' ? null : item));
  if (raw === '') return null;
  switch (spec.type) {
    case 'int':
    case 'bigint':
    case 'double':
      return Number(raw);
    case 'boolean':
      return raw === 'true';
    default:
      return raw;
  }
}

/**
 * Reads back a CSV this module wrote, as plain values for the dataset's schema to validate (Load
 * merges new plays into a day's file). A header that is not the dataset's is reported, not guessed.
 */
export function parseCsv(dataset: DatasetSpec, text: string, options: CsvOptions): Record<string, unknown>[] {
  const rows: unknown = parse(text, { relax_column_count: false, skip_empty_lines: true });
  if (!Array.isArray(rows) || rows.length === 0) return [];
  const [header, ...body] = rows as string[][];
  const expected = dataset.columns.map((spec) => spec.name);
  if (header?.join(',') !== expected.join(',')) {
    throw new Error(`the header is ${JSON.stringify(header)}, not the ${dataset.name} columns`);
  }
  return body.map((cells) => {
    const row: Record<string, unknown> = Object.fromEntries(
      dataset.columns.map((spec, index) => [spec.name, parseCell(cells[index] ?? '', spec, options)]),
    );
    // One empty cell is both "no ids" and "one missing id": the partner list says which.
    for (const spec of dataset.columns) {
      const partner = spec.alignedWith === undefined ? undefined : row[spec.alignedWith];
      const own = row[spec.name];
      if (Array.isArray(partner) && Array.isArray(own) && own.length === 0 && partner.length > 0) {
        row[spec.name] = partner.map(() => null);
      }
    }
    return row;
  });
}
