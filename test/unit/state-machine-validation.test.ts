import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Module = typeof import('../../scripts/local/state-machine');
type Validator = (...args: unknown[]) => unknown;

/** How often the engine has called asl-validator, across the fresh modules below. */
let validations = 0;

/**
 * The local runner's module as a new process loads it (nothing remembered in memory), with the
 * engine's validator counted.
 */
function freshModule(): Module {
  let loaded: Module | undefined;
  jest.isolateModules(() => {
    jest.doMock('asl-validator', () => {
      const validate = jest.requireActual<Validator>('asl-validator');
      return (...args: unknown[]) => {
        validations += 1;
        return validate(...args);
      };
    });
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
 * file). What it must never do: keep a definition that failed, or run a kept file that is not the
 * definition it was asked to run.
 */
describe('validated state machines kept between processes', () => {
  let cacheDir: string;
  const previous = process.env.SPOTIFY_ETL_CACHE_DIR;
  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-validation-'));
    process.env.SPOTIFY_ETL_CACHE_DIR = cacheDir;
    validations = 0;
  });
  afterEach(async () => {
    process.env.SPOTIFY_ETL_CACHE_DIR = previous;
    await rm(cacheDir, { recursive: true, force: true });
  });
  const keptFiles = async () => readdir(path.join(cacheDir, 'validated-state-machines')).catch(() => []);
  const keptFile = async () => path.join(cacheDir, 'validated-state-machines', (await keptFiles())[0] ?? '');

  it('validates a definition once, and a new process runs the kept validation', async () => {
    await expect(outputOf(freshModule(), passing('validated'))).resolves.toBe('validated');
    expect(validations).toBe(1);
    expect(await keptFiles()).toHaveLength(1);
    // As validation left it: asl-validator fills in each state's query language.
    expect(JSON.parse(await readFile(await keptFile(), 'utf8'))).toMatchObject({
      States: { Only: { QueryLanguage: 'JSONPath' } },
    });
    await expect(outputOf(freshModule(), passing('validated'))).resolves.toBe('validated');
    expect(validations).toBe(1);
  });

  it('validates a changed definition again', async () => {
    await outputOf(freshModule(), passing('first'));
    await expect(outputOf(freshModule(), passing('second'))).resolves.toBe('second');
    expect(validations).toBe(2);
    expect(await keptFiles()).toHaveLength(2);
  });

  it('keeps nothing of a definition that fails validation', async () => {
    const broken = { StartAt: 'Missing', States: { Only: { Type: 'Pass', End: true } } };
    expect(() => freshModule().validatedStateMachine(broken)).toThrow();
    expect(await keptFiles()).toEqual([]);
  });

  it.each([
    ['damaged', '{"StartAt": "Only", "Sta'],
    ['another definition', JSON.stringify(passing('from the kept file'))],
    [
      'the definition with a state added',
      JSON.stringify({
        ...passing('validated'),
        States: { ...passing('validated').States, Other: { Type: 'Fail' } },
      }),
    ],
    [
      'the definition in another query language',
      JSON.stringify({ ...passing('validated'), QueryLanguage: 'JSONata' }),
    ],
  ])('validates again, and runs the definition asked for, when the kept file is %s', async (_, kept) => {
    await outputOf(freshModule(), passing('validated'));
    await writeFile(await keptFile(), kept);
    await expect(outputOf(freshModule(), passing('validated'))).resolves.toBe('validated');
    expect(validations).toBe(2);
  });
});
