import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Module = typeof import('../../scripts/local/state-machine');

/** The local runner's module as a new process loads it: nothing remembered in memory. */
function freshModule(): Module {
  let loaded: Module | undefined;
  jest.isolateModules(() => {
    loaded = jest.requireActual<Module>('../../scripts/local/state-machine');
  });
  if (!loaded) throw new Error('the module did not load');
  return loaded;
}

const passing = (result: string) => ({
  StartAt: 'Only',
  States: { Only: { Type: 'Pass', Result: result, End: true } },
});

async function outputOf(module: Module, definition: Record<string, unknown>): Promise<unknown> {
  return module.validatedStateMachine(definition).run({}).result;
}

/**
 * The engine validates a definition once; the validation is kept on disk, by the hash of the
 * definition and the validator's versions, for the next process (each `npm run local`, each test
 * file). What it must never do: keep a definition that failed, or trust a damaged file.
 */
describe('validated state machines kept between processes', () => {
  let cacheDir: string;
  const previous = process.env.SPOTIFY_ETL_CACHE_DIR;
  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-validation-'));
    process.env.SPOTIFY_ETL_CACHE_DIR = cacheDir;
  });
  afterEach(async () => {
    process.env.SPOTIFY_ETL_CACHE_DIR = previous;
    await rm(cacheDir, { recursive: true, force: true });
  });
  const keptFiles = async () => readdir(path.join(cacheDir, 'validated-state-machines')).catch(() => []);

  it('keeps a valid definition as validation left it, and a new process runs it from there', async () => {
    await expect(outputOf(freshModule(), passing('validated'))).resolves.toBe('validated');
    const [kept, ...others] = await keptFiles();
    expect(others).toEqual([]);
    const file = path.join(cacheDir, 'validated-state-machines', kept ?? '');
    // As validation left it: asl-validator fills in each state's query language.
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      States: { Only: { QueryLanguage: 'JSONPath' } },
    });
    // The kept copy is what the next process runs (swapped here to show it is read, not re-derived).
    await writeFile(file, JSON.stringify(passing('from the kept copy')));
    await expect(outputOf(freshModule(), passing('validated'))).resolves.toBe('from the kept copy');
  });

  it('validates a changed definition again', async () => {
    await outputOf(freshModule(), passing('first'));
    await expect(outputOf(freshModule(), passing('second'))).resolves.toBe('second');
    expect(await keptFiles()).toHaveLength(2);
  });

  it('keeps nothing of a definition that fails validation', async () => {
    const broken = { StartAt: 'Missing', States: { Only: { Type: 'Pass', End: true } } };
    expect(() => freshModule().validatedStateMachine(broken)).toThrow();
    expect(await keptFiles()).toEqual([]);
  });

  it('validates again when the kept file is damaged', async () => {
    await outputOf(freshModule(), passing('validated'));
    const [kept] = await keptFiles();
    await writeFile(path.join(cacheDir, 'validated-state-machines', kept ?? ''), '{"StartAt": "Only", "Sta');
    await expect(outputOf(freshModule(), passing('validated'))).resolves.toBe('validated');
  });
});
