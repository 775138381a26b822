import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { packageServiceCopy } from '../../scripts/local/package-service';

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
  readonly zipSizes: Record<string, number>;
  readonly zipFoldersLeft: string[];
}

/**
 * The parameter sets the template tests package, few on purpose (each packaging costs 5-10 s of CPU):
 * every test that needs a non-default setting reads it from one of these.
 */
export const VARIANTS = {
  /**
   * Every setting away from its default, in one packaging: schedules off, an alert e-mail,
   * client-credentials mode, and the bastion in a given VPC and subnet without a public IP, with
   * SSH from one address.
   */
  custom: [
    'scheduleEnabled=false',
    'alertEmail=ops@example.com',
    'spotifyAuthMode=client_credentials',
    'bastionEnabled=true',
    'bastionSshCidr=203.0.113.7/32',
    'bastionKeyName=my-key',
    'bastionVpcId=vpc-0123456789abcdef0',
    'bastionSubnetId=subnet-0123456789abcdef0',
    'bastionPublicIp=false',
  ],
  /** The bastion in the default VPC, no SSH. */
  bastion: ['bastionEnabled=true'],
} as const;

/**
 * `sls package` offline, on a temporary copy of the project, with the template parsed. Test files
 * (each in its own worker) share one packaging per parameter set through the run's shared folder:
 * the first to ask packages, the others wait for its result.
 */
export async function packageService(params: readonly string[] = []): Promise<PackagedService> {
  const shared = process.env.SPOTIFY_ETL_TEST_SHARED_DIR;
  if (!shared) return parsePackaged(await packageServiceCopy(params));
  const id = createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16);
  const result = path.join(shared, `package-${id}.json`);
  const claim = path.join(shared, `package-${id}.claim`);
  try {
    await mkdir(claim);
  } catch {
    return parsePackaged(await waitForFile(result, 240_000));
  }
  try {
    const packaged = await afterFirstPackaging(shared, () => packageServiceCopy(params));
    const cached: CachedPackage = {
      templateJson: packaged.templateJson,
      zipSizes: packaged.zipSizes,
      zipFoldersLeft: packaged.zipFoldersLeft,
    };
    await writeFile(`${result}.tmp`, JSON.stringify(cached));
    await rename(`${result}.tmp`, result);
    return parsePackaged(cached);
  } catch (error) {
    await writeFile(result, JSON.stringify({ error: String(error) }));
    throw error;
  }
}

/**
 * The run's first packaging goes alone; the others start once it has ended. Each `sls` compiles
 * the framework's configuration schema unless the run's cache (SLS_SCHEMA_CACHE_BASE_DIR, see
 * global-setup) already has it: packagings started together would each compile it.
 */
async function afterFirstPackaging<T>(shared: string, work: () => Promise<T>): Promise<T> {
  const done = path.join(shared, 'first-package.done');
  const first = await mkdir(path.join(shared, 'first-package.claim')).then(
    () => true,
    () => false,
  );
  // A first packaging that never ends fails its own test; this one goes ahead after the wait.
  if (!first) return waitForText(done, 240_000).then(() => work());
  try {
    return await work();
  } finally {
    await writeFile(done, '');
  }
}

/** The file's text once another worker has written it, or undefined after `timeoutMs`. */
async function waitForText(file: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const packagedSchema = z.object({
  templateJson: z.string(),
  zipSizes: z.record(z.string(), z.number()),
  zipFoldersLeft: z.array(z.string()),
});
type CachedPackage = Readonly<z.infer<typeof packagedSchema>>;
const cachedPackageSchema = z.union([packagedSchema, z.object({ error: z.string() })]);

async function waitForFile(file: string, timeoutMs: number): Promise<CachedPackage> {
  const text = await waitForText(file, timeoutMs);
  if (text === undefined) throw new Error(`timed out waiting for ${file}`);
  const cached = cachedPackageSchema.parse(JSON.parse(text));
  if ('error' in cached) throw new Error(`sls package failed in another test file: ${cached.error}`);
  return cached;
}

function parsePackaged(packaged: CachedPackage): PackagedService {
  return {
    template: templateSchema.parse(JSON.parse(packaged.templateJson)),
    zipSizes: packaged.zipSizes,
    zipFoldersLeft: packaged.zipFoldersLeft,
  };
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The resource with this logical id; a missing one fails the test that asks, by name. */
export function resourceOf(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId}`);
  return found;
}

/**
 * The deployed state machine's definition, as serverless-step-functions writes it (an `Fn::Sub`
 * of the ASL JSON), and what a Task state's `Resource` substitutes to (`${ExtractLambdaFunction.Arn}`).
 */
export function stateMachineOf<State extends { Resource?: string }>(template: Template) {
  const [, machine] = resourcesOfType(template, 'AWS::StepFunctions::StateMachine')[0] ?? [];
  const [definitionText, substitutions] = (
    machine?.Properties?.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] }
  )['Fn::Sub'];
  const definition = JSON.parse(definitionText) as { StartAt: string; States: Record<string, State> };
  const functionOf = (state: State | undefined) =>
    render(substitutions[/^\$\{(.+)\}$/.exec(state?.Resource ?? '')?.[1] ?? '']);
  return { definition, functionOf };
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
