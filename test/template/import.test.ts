import {
  actionsOf,
  packageService,
  render,
  resourceOf,
  resourcesOfType,
  roleStatements,
  stateMachineOf,
  type PackagedService,
  type PolicyStatement,
} from '../helpers/template';

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Variable: string; IsNull?: boolean; Next: string }[];
  ItemsPath?: string;
  MaxConcurrencyPath?: string;
  ItemSelector?: Record<string, unknown>;
  ResultPath?: string;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: { StartAt: string; States: Record<string, State> };
}

/** The streaming-history import as deployed: its states, its function's role, the inbox's lifecycle. */
describe('packaged template: the streaming-history import', () => {
  let packaged: PackagedService;
  beforeAll(async () => {
    packaged = await packageService();
  }, 240_000);

  const resource = (logicalId: string) => resourceOf(packaged.template, logicalId);

  it('archives every file in a Map before the Sources Map publishes any, failing the whole import on a bad file', () => {
    const { definition, functionOf } = stateMachineOf<State>(packaged.template);
    const { IsImport, ImportFiles, Sources, Finalize } = definition.States;
    expect(IsImport).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.import', IsNull: true, Next: 'Sources' }],
      Default: 'ImportFiles',
    });
    expect(ImportFiles).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.plan.import.files',
      MaxConcurrencyPath: '$.plan.concurrency',
      ItemSelector: {
        'run.$': '$.plan.run',
        'includeIncognito.$': '$.plan.import.includeIncognito',
        'file.$': '$$.Map.Item.Value',
        'index.$': '$$.Map.Item.Index',
      },
      // Each iteration's result is an item of the Sources Map: a replay of the archived file.
      ResultPath: '$.plan.items',
      Next: 'Sources',
    });
    // No Catch inside the iteration: one bad file fails the Map, before any Load ran.
    const importFile = ImportFiles?.ItemProcessor?.States.ImportFile;
    expect(functionOf(importFile)).toBe('${ImportFileLambdaFunction.Arn}');
    expect(importFile?.Catch).toBeUndefined();
    expect(importFile?.End).toBe(true);
    expect(importFile?.Retry?.flatMap((retry) => retry.ErrorEquals)).toContain('StorageUnavailable');
    expect(importFile?.Retry?.flatMap((retry) => retry.ErrorEquals)).not.toContain('ExportFileInvalid');
    expect(ImportFiles?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' },
    ]);
    expect(Sources?.ItemsPath).toBe('$.plan.items');
    // Finalize learns of the import to delete its uploads once every file is published.
    expect(Finalize?.Parameters).toMatchObject({ 'import.$': '$.plan.import' });
  });

  it('lets the import function read only the inbox and write only raw/', () => {
    const statements = roleStatements(resource('ImportFileIamRoleLambdaExecution'));
    const grants = statements
      .filter((statement: PolicyStatement) => actionsOf(statement).some((action) => action.startsWith('s3:')))
      .flatMap((statement) => actionsOf(statement).map((action) => `${action} ${render(statement.Resource)}`))
      .sort();
    expect(grants).toEqual([
      's3:GetObject ${DataBucket.Arn}/inbox/*',
      's3:GetObject ${DataBucket.Arn}/raw/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/raw/*',
    ]);
    const list = statements.find((statement) => actionsOf(statement).includes('s3:ListBucket'));
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': ['inbox/*', 'raw/*'] } });
    expect(JSON.stringify(statements)).not.toMatch(/ssm:|kms:|DeleteObject/);
    const plan = roleStatements(resource('PlanIamRoleLambdaExecution'));
    expect(plan.find((statement) => actionsOf(statement).includes('s3:ListBucket'))?.Condition).toEqual({
      StringLike: { 's3:prefix': ['raw/*', 'inbox/*'] },
    });
    // Only Finalize deletes, and only in the inbox.
    const deleters = resourcesOfType(packaged.template, 'AWS::IAM::Role').flatMap(([id, role]) =>
      roleStatements(role)
        .filter((statement) => actionsOf(statement).includes('s3:DeleteObject'))
        .map((statement) => `${id} ${render(statement.Resource)}`),
    );
    expect(deleters).toEqual(['FinalizeIamRoleLambdaExecution ${DataBucket.Arn}/inbox/*']);
  });

  it("expires an import's uploads that were never imported after a week, and their old versions a day later", () => {
    const rules = (
      resource('DataBucket').Properties?.LifecycleConfiguration as {
        Rules: {
          Id: string;
          Prefix?: string;
          ExpirationInDays?: number;
          Status: string;
          NoncurrentVersionExpiration?: unknown;
        }[];
      }
    ).Rules;
    expect(rules.find((rule) => rule.Id === 'ExpireInbox')).toEqual({
      Id: 'ExpireInbox',
      Status: 'Enabled',
      Prefix: 'inbox/',
      ExpirationInDays: 7,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
  });

  it('runs the import function like the others: nodejs24.x on arm64, 512 MB, a small zip', () => {
    expect(resource('ImportFileLambdaFunction').Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 120,
    });
    expect(packaged.zipSizes.importFile).toBeLessThan(250 * 1024);
  });
});
