import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type Tags } from 'yaml';
import { z } from 'zod';

/** The repository root (this file lives in scripts/local/). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** CloudFormation short-form tags, kept as their long form so the YAML loads without AWS. */
const cloudFormationTags: Tags = [
  'Ref',
  'GetAtt',
  'Join',
  'Sub',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Condition',
  'ImportValue',
  'FindInMap',
  'GetAZs',
  'Base64',
  'Cidr',
].flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return (['scalar', 'seq', 'map'] as const).map((nodeClass) => ({
    tag: `!${name}`,
    collection: nodeClass === 'scalar' ? undefined : nodeClass,
    resolve: (value: unknown) => ({
      [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
    }),
  }));
});

/**
 * The last parse of each file as JSON text, with the YAML it came from: a local run reads
 * serverless.yml and the definition on every execution, and parsing the YAML costs more than the
 * rest of setting one up. These files hold JSON data (CloudFormation tags become objects), so the
 * JSON text is the whole value. A changed file is parsed again.
 */
const parsedFiles = new Map<string, { readonly yaml: string; readonly json: string }>();

/** The file's YAML as plain data, a fresh object each call (callers may change it). */
export function readYaml(relativePath: string): unknown {
  const yaml = readFileSync(path.join(PROJECT_ROOT, relativePath), 'utf8');
  let parsed = parsedFiles.get(relativePath);
  if (parsed?.yaml !== yaml) {
    parsed = { yaml, json: JSON.stringify(parse(yaml, { customTags: cloudFormationTags })) };
    parsedFiles.set(relativePath, parsed);
  }
  return JSON.parse(parsed.json) as unknown;
}

const serverlessSchema = z.looseObject({
  provider: z.looseObject({ timeout: z.number().optional() }),
  functions: z.record(z.string(), z.looseObject({ handler: z.string(), timeout: z.number().optional() })),
  stepFunctions: z.looseObject({
    stateMachines: z.record(z.string(), z.looseObject({ definition: z.string() })),
  }),
});

export interface FunctionSpec {
  /** Module path relative to the project root, e.g. functions/extract/handler. */
  readonly modulePath: string;
  readonly exportName: string;
  readonly timeoutSeconds: number;
}

export interface ProjectFiles {
  readonly functions: Map<string, FunctionSpec>;
  /** The state machine definition file serverless.yml deploys (`${file(...)}`). */
  readonly definitionPath: string;
}

/** Reads serverless.yml the way the deployment sees it: function handlers, timeouts, definition file. */
export function readProjectFiles(): ProjectFiles {
  const config = serverlessSchema.parse(readYaml('serverless.yml'));
  const functions = new Map<string, FunctionSpec>();
  for (const [name, spec] of Object.entries(config.functions)) {
    const dot = spec.handler.lastIndexOf('.');
    functions.set(name, {
      modulePath: spec.handler.slice(0, dot),
      exportName: spec.handler.slice(dot + 1),
      timeoutSeconds: spec.timeout ?? config.provider.timeout ?? 6,
    });
  }
  const [machine] = Object.values(config.stepFunctions.stateMachines);
  const match = /^\$\{file\(\.?\/?([^)]+)\)\}$/.exec(machine?.definition ?? '');
  if (!match?.[1]) throw new Error('serverless.yml: the state machine definition must be ${file(<path>)}');
  return { functions, definitionPath: match[1] };
}

/** The local data folder: LOCAL_DATA_DIR, or `.local/` when it is unset or empty (never the project root). */
export function localDataDir(): string {
  return path.resolve(PROJECT_ROOT, process.env.LOCAL_DATA_DIR || '.local');
}
