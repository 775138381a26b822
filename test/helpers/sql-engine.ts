import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import { testNeedingTool, type TestFn } from './optional-tool';

/** DuckDB lives in a package of its own (70 MB), installed by .ci/run, so users don't download it. */
export const SQL_ENGINE_DIR = path.join(PROJECT_ROOT, 'test', 'sql-engine');

/** A result row as DuckDB renders it to JSON: numbers and dates may come back as text. */
export type SqlRow = Record<string, unknown>;

export interface SqlEngine {
  run(sql: string): Promise<SqlRow[]>;
  close(): void;
}

/** The part of @duckdb/node-api the tests use; checked at load, since the package is optional. */
interface DuckDbResult {
  getRowObjectsJson(): SqlRow[];
}
interface DuckDbConnection {
  runAndReadAll(sql: string): Promise<DuckDbResult>;
  closeSync(): void;
}
interface DuckDbInstance {
  connect(): Promise<DuckDbConnection>;
  closeSync(): void;
}
interface DuckDbModule {
  DuckDBInstance: { create(path: string): Promise<DuckDbInstance> };
}

function isDuckDbModule(value: unknown): value is DuckDbModule {
  if (typeof value !== 'object' || value === null || !('DuckDBInstance' in value)) return false;
  const instance: unknown = value.DuckDBInstance;
  return typeof instance === 'function' && 'create' in instance && typeof instance.create === 'function';
}

function loadDuckDb(): DuckDbModule | undefined {
  const requireFromEngine = createRequire(path.join(SQL_ENGINE_DIR, 'package.json'));
  let loaded: unknown;
  try {
    loaded = requireFromEngine('@duckdb/node-api');
  } catch {
    return undefined;
  }
  if (!isDuckDbModule(loaded)) throw new Error('@duckdb/node-api loaded, but without DuckDBInstance.create');
  return loaded;
}

const duckDb = loadDuckDb();
export const sqlEngineInstalled = duckDb !== undefined;

/** `it` when DuckDB is installed; otherwise skipped with one line (a failure under CI=true). */
export function sqlEngineTest(what: string): TestFn {
  return testNeedingTool(
    sqlEngineInstalled,
    what,
    'no DuckDB; install it with `npm ci --prefix test/sql-engine`',
  );
}

/** An in-memory DuckDB; UTC, as Athena's sessions are. */
export async function openSqlEngine(): Promise<SqlEngine> {
  if (!duckDb) throw new Error('DuckDB is not installed: npm ci --prefix test/sql-engine');
  const instance = await duckDb.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const engine: SqlEngine = {
    run: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson(),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
  await engine.run(`SET TimeZone = 'UTC'`);
  return engine;
}
