import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
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

/** Runs `sls package` offline, with no AWS credentials, into a temporary folder. */
export async function packageService(params: string[] = []): Promise<PackagedService> {
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
