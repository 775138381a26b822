import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { runAsInvocation } from './invocations';
import { PROJECT_ROOT, readProjectFiles, readYaml, type FunctionSpec } from './project-files';

/** The library's event log entry type (not exported by name). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type LocalHandler = (input: Json) => Promise<Json>;
type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface Notification {
  readonly state: string;
  readonly input: Json;
}

export interface BoundStateMachine {
  readonly machine: StateMachine;
  readonly handlers: Record<string, LocalHandler>;
  readonly retryOverrides: Record<string, number>;
  readonly waitOverrides: Record<string, number>;
  /** Task states bound to a Lambda function: state name -> serverless.yml function key. */
  readonly lambdaStates: Map<string, string>;
  readonly notifications: Notification[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ "Fn::GetAtt": ["extract", "Arn"] }` -> "extract" (the serverless.yml function key). */
function functionKeyOf(resource: unknown): string | undefined {
  if (!isRecord(resource)) return undefined;
  const getAtt = resource['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/**
 * CloudFormation references inside a definition (e.g. the alerts topic's `Ref`) become local
 * placeholder ARNs; there is no stack to resolve them against.
 */
function localizeReferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(localizeReferences);
  if (!isRecord(value)) return value;
  if (typeof value.Ref === 'string') return `arn:aws:sns:us-east-1:000000000000:${value.Ref}`;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, localizeReferences(inner)]));
}

/** Replaces `execution.startTime` (from `$$.Execution.StartTime`) in a task's input by the simulated one. */
function withStartTime(input: Json, startTime: string | undefined): Json {
  if (startTime === undefined || !isRecord(input)) return input;
  if (isRecord(input.failure)) return { ...input, failure: withStartTime(input.failure, startTime) };
  if (!isRecord(input.execution) || typeof input.execution.startTime !== 'string') return input;
  return { ...input, execution: { ...input.execution, startTime } };
}

/** A Lambda context with a real deadline, so handlers plan their waits as they would on AWS. */
export function lambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `local-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // Deprecated callback members the Context type still requires; our handlers return promises.
    /* eslint-disable @typescript-eslint/no-deprecated */
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    /* eslint-enable @typescript-eslint/no-deprecated */
  };
}

async function loadHandler(spec: FunctionSpec): Promise<LambdaHandler> {
  const module: unknown = await import(path.join(PROJECT_ROOT, spec.modulePath));
  const handler = isRecord(module) ? module[spec.exportName] : undefined;
  if (typeof handler !== 'function') throw new Error(`${spec.modulePath} has no export "${spec.exportName}"`);
  return handler as LambdaHandler;
}

/**
 * Loads the definition serverless.yml deploys and binds every Task to what it runs on AWS: Lambda
 * tasks to the real handler (through its middy chain), SNS publishes to a local notification list.
 * Retry and Wait timings are shortened unless `realTimings` is set; their semantics stay intact.
 */
export async function bindStateMachine(options: {
  realTimings: boolean;
  retryIntervalMs?: number;
  /**
   * The execution's start time as `$$.Execution.StartTime` should give it (the engine always
   * reports the real clock): a local run simulating another day passes it here.
   */
  executionStartTime?: string;
}): Promise<BoundStateMachine> {
  const { functions, definitionPath } = readProjectFiles();
  const definition = readYaml(definitionPath);
  const handlers: Record<string, LocalHandler> = {};
  const retryOverrides: Record<string, number> = {};
  const waitOverrides: Record<string, number> = {};
  const lambdaStates = new Map<string, string>();
  const notifications: Notification[] = [];
  const pending: Promise<void>[] = [];

  const visit = (states: unknown) => {
    if (!isRecord(states)) return;
    for (const [name, state] of Object.entries(states)) {
      if (!isRecord(state)) continue;
      if (Array.isArray(state.Retry) && !options.realTimings)
        retryOverrides[name] = options.retryIntervalMs ?? 10;
      if (state.Type === 'Wait' && !options.realTimings) waitOverrides[name] = 0;
      for (const nested of [
        state.ItemProcessor,
        state.Iterator,
        ...(Array.isArray(state.Branches) ? (state.Branches as unknown[]) : []),
      ]) {
        if (isRecord(nested)) visit(nested.States);
      }
      if (state.Type !== 'Task') continue;
      if (state.Parameters !== undefined) state.Parameters = localizeReferences(state.Parameters);
      const functionKey = functionKeyOf(state.Resource);
      if (functionKey) {
        const spec = functions.get(functionKey);
        if (!spec)
          throw new Error(`${definitionPath}: state ${name} refers to unknown function "${functionKey}"`);
        state.Resource = `arn:aws:lambda:us-east-1:000000000000:function:${functionKey}`;
        lambdaStates.set(name, functionKey);
        pending.push(
          loadHandler(spec).then((handler) => {
            handlers[name] = async (input) => {
              const context = lambdaContext(functionKey, spec.timeoutSeconds);
              const result = await runAsInvocation(context.awsRequestId, () =>
                handler(withStartTime(input, options.executionStartTime), context),
              );
              return JSON.parse(JSON.stringify(result ?? null)) as Json;
            };
          }),
        );
      } else if (
        typeof state.Resource === 'string' &&
        state.Resource.startsWith('arn:aws:states:::sns:publish')
      ) {
        handlers[name] = (input) => {
          notifications.push({ state: name, input });
          return Promise.resolve({ MessageId: `local-${notifications.length}` });
        };
      }
    }
  };
  if (!isRecord(definition)) throw new Error(`${definitionPath} is not a state machine definition`);
  visit(definition.States);
  await Promise.all(pending);

  const machine = validatedStateMachine(definition);
  return { machine, handlers, retryOverrides, waitOverrides, lambdaStates, notifications };
}

type Definition = ConstructorParameters<typeof StateMachine>[0];

const VALIDATION_OPTIONS = { checkArn: true, checkPaths: true } as const;

/**
 * The definitions this process has had the engine validate, by the hash of their JSON, each as
 * validation left it (asl-validator fills in every state's QueryLanguage). asl-validator compiles
 * its JSON schemas anew on every call, about 0.2-0.35 s of CPU: a process that runs the same
 * definition many times (a replay) pays it once, and the copy on disk (below) spares the next
 * process, every `npm run local` and every test file, which jest runs in a module registry of its
 * own. The key covers the whole bound definition, so a changed definition is validated again; one
 * that fails validation is not kept.
 */
const validatedDefinitions = new Map<string, string>();

export function validatedStateMachine(definition: Record<string, unknown>): StateMachine {
  const text = JSON.stringify(definition);
  const key = createHash('sha256')
    .update(validatorVersions() ?? '')
    .update(text)
    .digest('hex');
  const validated = validatedDefinitions.get(key) ?? readCachedValidation(key, text);
  if (validated !== undefined) {
    validatedDefinitions.set(key, validated);
    return new StateMachine(JSON.parse(validated) as Definition, { validationOptions: { noValidate: true } });
  }
  const machine = new StateMachine(definition as unknown as Definition, {
    validationOptions: VALIDATION_OPTIONS,
  });
  const result = JSON.stringify(definition);
  validatedDefinitions.set(key, result);
  writeCachedValidation(key, result);
  return machine;
}

/**
 * Where validations are kept between processes: SPOTIFY_ETL_CACHE_DIR (the test run points it at
 * its own temporary folder), else node_modules/.cache, where tools keep such caches.
 */
function validationCacheDir(): string {
  // An empty value counts as unset, not as the current directory.
  const base =
    (process.env.SPOTIFY_ETL_CACHE_DIR ?? '') ||
    path.join(PROJECT_ROOT, 'node_modules', '.cache', 'spotify-etl-pipeline');
  return path.join(base, 'validated-state-machines');
}

/**
 * The engine's and the validator's versions and the options, so that another version of either
 * validates again; undefined when a version cannot be read, and then nothing is kept on disk.
 */
let validatorIdentity: { readonly value: string | undefined } | undefined;
function validatorVersions(): string | undefined {
  validatorIdentity ??= { value: readValidatorVersions() };
  return validatorIdentity.value;
}

function readValidatorVersions(): string | undefined {
  const versions = [];
  for (const name of ['aws-local-stepfunctions', 'asl-validator']) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(
        readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8'),
      );
    } catch {
      return undefined;
    }
    const version = isRecord(manifest) ? manifest.version : undefined;
    if (typeof version !== 'string') return undefined;
    versions.push(`${name}@${version}`);
  }
  return JSON.stringify([...versions, VALIDATION_OPTIONS]);
}

/**
 * The kept validation of this definition, if there is one: a file that is not the definition as
 * validation leaves it (damaged, written for another definition, edited) is not used.
 */
function readCachedValidation(key: string, definitionText: string): string | undefined {
  if (validatorVersions() === undefined) return undefined;
  try {
    const text = readFileSync(path.join(validationCacheDir(), `${key}.json`), 'utf8');
    const definition: unknown = JSON.parse(definitionText);
    const queryLanguage = (isRecord(definition) ? definition.QueryLanguage : undefined) ?? 'JSONPath';
    return isValidationOf(JSON.parse(text), definition, queryLanguage) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `validated` is `definition` with nothing changed and nothing added but the states'
 * QueryLanguage, which asl-validator fills in with the definition's own (JSONPath by default).
 */
function isValidationOf(validated: unknown, definition: unknown, queryLanguage: unknown): boolean {
  if (Array.isArray(definition)) {
    return (
      Array.isArray(validated) &&
      validated.length === definition.length &&
      definition.every((item, index) => isValidationOf(validated[index], item, queryLanguage))
    );
  }
  if (isRecord(definition)) {
    if (!isRecord(validated)) return false;
    const added = Object.keys(validated).filter((key) => !(key in definition));
    return (
      added.every((key) => key === 'QueryLanguage' && validated[key] === queryLanguage) &&
      Object.entries(definition).every(([key, value]) => isValidationOf(validated[key], value, queryLanguage))
    );
  }
  return Object.is(validated, definition);
}

/** Best effort: a cache that cannot be written only means validating again next time. */
function writeCachedValidation(key: string, validated: string): void {
  if (validatorVersions() === undefined) return;
  try {
    const dir = validationCacheDir();
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${key}.json`);
    // Written whole, then renamed: a process reading at the same time sees all of it or nothing.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, validated);
    renameSync(partial, file);
  } catch {
    // Read-only node_modules, a full disk: the run goes on, validated.
  }
}

export type { Json };
