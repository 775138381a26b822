import { readFileSync } from 'node:fs';
import path from 'node:path';
import { neutralizeFormula } from '../../functions/datasets/csv';
import { RECENTLY_PLAYED } from '../../functions/datasets/recently-played';
import { TOP_TRACKS } from '../../functions/datasets/top-tracks';
import { PROJECT_ROOT } from '../../scripts/local/project-files';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it.each([TOP_TRACKS, RECENTLY_PLAYED])(
    'documents exactly the $name columns the code writes, in order, with their types',
    (dataset) => {
      const header = new RegExp(`^\\| ${dataset.name} column +\\| type +\\| meaning +\\|$`, 'm').exec(readme);
      expect(header).not.toBeNull();
      const rest = readme.slice((header?.index ?? readme.length) + (header?.[0].length ?? 0));
      const table = rest.slice(0, rest.indexOf('\n\n'));
      const documented = [...table.matchAll(/^\| ([a-z_]+) +\| ([a-z]+) +\|/gm)].map((match) => [
        match[1],
        match[2],
      ]);
      expect(documented).toEqual(dataset.columns.map((column) => [column.name, column.type]));
    },
  );

  it.each([
    // Athena: a SQL string literal, where '' is one quote.
    [
      'Athena',
      /regexp_replace\(track_name, '((?:[^']|'')*)', ''\)/,
      (literal: string) => literal.replaceAll("''", "'"),
    ],
    // pandas: a raw Python string.
    ['pandas', /str\.replace\(r"([^"]*)", "", regex=True\)/, (literal: string) => literal],
  ])('gives a way back to the exact text of a neutralized cell in %s', (_tool, where, unquote) => {
    const literal = where.exec(readme)?.[1];
    expect(literal).toBeDefined();
    // The pattern (anchor, lookahead, class) means the same to JavaScript, Java and Python.
    const pattern = new RegExp(unquote(literal ?? ''));
    const cells = [
      '=SUM(A1:A9)',
      '+44',
      '-5',
      '@me',
      '\tTab',
      '\rCR',
      "'",
      "''x",
      "'=x",
      'plain',
      "'plain",
      '',
    ];
    for (const cell of cells) expect(neutralizeFormula(cell).replace(pattern, '')).toBe(cell);
  });

  it('gives the test command that .ci/run runs', () => {
    const ci = readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8');
    expect(readme).toMatch(/^npm test +#/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
