import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../scripts/local/project-files';

const run = promisify(execFile);

export const resourceSchema = z.looseObject({
  Type: z.string(),
  Properties: z.record(z.string(), z.unknown()).optional(),
  Condition: z.string().optional(),
});
const templateSchema = z.looseObject({
  Resources: z.record(z.string(), resourceSchema),
  Outputs: z.record(z.string(), z.looseObject({ Value: z.unknown() })).optional(),
  Conditions: z.record(z.string(), z.unknown()).optional(),
  Parameters: z.record(z.string(), z.unknown()).optional(),
});
export type Template = z.infer<typeof templateSchema>;
export type Resource = z.infer<typeof resourceSchema>;

export interface PackagedService {
  readonly template: Template;
  readonly dir: string;
  readonly zipSizes: Record<string, number>;
}

const LOCK = path.join(tmpdir(), 'spotify-etl-pipeline-sls-package.lock');

/** serverless-esbuild builds in a folder of the project: one `sls package` at a time across jest workers. */
async function withPackageLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      const age =
        Date.now() -
        (await stat(LOCK).then(
          (info) => info.mtimeMs,
          () => Date.now(),
        ));
      if (age > 180_000) await rm(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/** Runs `sls package` offline, with no AWS credentials, into a temporary folder. */
export function packageService(params: string[] = []): Promise<PackagedService> {
  return withPackageLock(() => packageServiceNow(params));
}

async function packageServiceNow(params: string[]): Promise<PackagedService> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sls-package-'));
  const env = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_CONFIG_FILE: '/nonexistent',
  };
  const args = ['package', '--package', dir, ...params.flatMap((param) => ['--param', param])];
  await run(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'sls'), args, {
    cwd: PROJECT_ROOT,
    env,
    timeout: 240_000,
  });
  const template = templateSchema.parse(
    JSON.parse(await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')),
  );
  const zipSizes: Record<string, number> = {};
  for (const file of await readdir(dir)) {
    if (file.endsWith('.zip')) zipSizes[file.replace(/\.zip$/, '')] = (await stat(path.join(dir, file))).size;
  }
  return { template, dir, zipSizes };
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const statementSchema = z.looseObject({
  Effect: z.string(),
  Action: z.union([z.string(), z.array(z.string())]),
  Resource: z.unknown(),
  Condition: z.unknown().optional(),
});
const roleSchema = z.looseObject({
  Policies: z
    .array(z.looseObject({ PolicyDocument: z.looseObject({ Statement: z.array(statementSchema) }) }))
    .optional(),
});

export function roleStatements(resource: Resource | undefined): PolicyStatement[] {
  const role = roleSchema.parse(resource?.Properties ?? {});
  return (role.Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement);
}

export const actionsOf = (statement: PolicyStatement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Renders CloudFormation intrinsic functions as readable text, e.g. `${DataBucket.Arn}/staging/*`. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join(',');
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if ('Fn::GetAtt' in record) return `\${${(record['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Ref' in record) return `\${${String(record.Ref)}}`;
    if ('Fn::Sub' in record) return render(record['Fn::Sub']);
  }
  return JSON.stringify(value);
}

/** Evaluates a template Condition (Fn::Equals/Not/And/Or, Condition references) as CloudFormation would. */
export function conditionHolds(template: Template, name: string): boolean {
  const evaluate = (expression: unknown): boolean | string => {
    if (typeof expression === 'string' || typeof expression === 'number' || typeof expression === 'boolean') {
      return String(expression);
    }
    const record = expression as Record<string, unknown>;
    if ('Condition' in record) return conditionHolds(template, String(record.Condition));
    if ('Fn::Equals' in record) {
      const [left, right] = (record['Fn::Equals'] as unknown[]).map(evaluate);
      return left === right;
    }
    if ('Fn::Not' in record) return !evaluate((record['Fn::Not'] as unknown[])[0]);
    if ('Fn::And' in record) return (record['Fn::And'] as unknown[]).every((item) => evaluate(item) === true);
    if ('Fn::Or' in record) return (record['Fn::Or'] as unknown[]).some((item) => evaluate(item) === true);
    throw new Error(`cannot evaluate ${JSON.stringify(expression)}`);
  };
  const result = evaluate(template.Conditions?.[name]);
  if (typeof result !== 'boolean') throw new Error(`condition ${name} is not boolean`);
  return result;
}
