import {
  actionsOf,
  packageService,
  render,
  resourcesOfType,
  roleStatements,
  type PackagedService,
} from '../helpers/template';

/** Asserts on the CloudFormation that `sls package` generates offline, with no AWS credentials. */
describe('packaged CloudFormation template', () => {
  let packaged: PackagedService;
  beforeAll(async () => {
    packaged = await packageService();
  }, 240_000);

  const resource = (logicalId: string) => {
    const found = packaged.template.Resources[logicalId];
    if (!found) throw new Error(`no resource ${logicalId}`);
    return found;
  };

  it('runs the three functions on nodejs24.x, arm64, each a small zip', () => {
    const functions = resourcesOfType(packaged.template, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'ExtractLambdaFunction',
      'LoadLambdaFunction',
      'TransformLambdaFunction',
    ]);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
    expect(Object.keys(packaged.zipSizes).sort()).toEqual(['extract', 'load', 'transform']);
    for (const size of Object.values(packaged.zipSizes)) expect(size).toBeLessThan(250 * 1024);
  });

  it('chains Extract -> Transform -> Load in the state machine, with retries and a failure path', () => {
    const [, machine] = resourcesOfType(packaged.template, 'AWS::StepFunctions::StateMachine')[0] ?? [];
    const [definitionText, substitutions] = (
      machine?.Properties?.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] }
    )['Fn::Sub'];
    const definition = JSON.parse(definitionText) as {
      StartAt: string;
      States: Record<
        string,
        {
          Type: string;
          Resource?: string;
          Next?: string;
          Retry?: { ErrorEquals: string[] }[];
          Catch?: { Next: string }[];
        }
      >;
    };
    const functionOf = (state: string) => {
      const placeholder = /^\$\{(.+)\}$/.exec(definition.States[state]?.Resource ?? '')?.[1] ?? '';
      return render(substitutions[placeholder]);
    };
    expect(definition.StartAt).toBe('Extract');
    expect(functionOf('Extract')).toBe('${ExtractLambdaFunction.Arn}');
    expect(definition.States.Extract?.Next).toBe('Transform');
    expect(functionOf('Transform')).toBe('${TransformLambdaFunction.Arn}');
    expect(definition.States.Transform?.Next).toBe('Load');
    expect(functionOf('Load')).toBe('${LoadLambdaFunction.Arn}');
    for (const state of ['Extract', 'Transform', 'Load']) {
      const retried = definition.States[state]?.Retry?.flatMap((retrier) => retrier.ErrorEquals) ?? [];
      expect(retried).toEqual(
        expect.arrayContaining([
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
        ]),
      );
      expect(definition.States[state]?.Catch?.[0]?.Next).toBe('NotifyFailure');
    }
    expect(definition.States.Extract?.Retry?.flatMap((retrier) => retrier.ErrorEquals)).toEqual(
      expect.arrayContaining(['SpotifyUnavailable', 'SpotifyRateLimited']),
    );
    expect(definition.States.NotifyFailure).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Next: 'PipelineFailed',
    });
    expect(definition.States.NotifyFailure?.Catch?.[0]?.Next).toBe('PipelineFailed');
    expect(definition.States.PipelineFailed?.Type).toBe('Fail');
  });

  it('starts the state machine on a daily UTC schedule', () => {
    const rules = resourcesOfType(packaged.template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const properties = rules[0]?.[1].Properties ?? {};
    expect(properties.ScheduleExpression).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
    expect(properties.State).toBe('ENABLED');
    expect(render((properties.Targets as { Arn: unknown }[])[0]?.Arn)).toBe('${PipelineStateMachine}');
  });

  it('can be deployed with the schedule switched off', async () => {
    const off = await packageService(['scheduleEnabled=false']);
    const [, rule] = resourcesOfType(off.template, 'AWS::Events::Rule')[0] ?? [];
    expect(rule?.Properties?.State).toBe('DISABLED');
  }, 240_000);

  it('hardens the data bucket', () => {
    const bucket = resource('DataBucket').Properties ?? {};
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(JSON.stringify(bucket.BucketEncryption)).toContain('SSEAlgorithm');
    const rules = (
      bucket.LifecycleConfiguration as {
        Rules: { Prefix?: string; ExpirationInDays?: number; Status: string }[];
      }
    ).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: 'staging/', ExpirationInDays: 14, Status: 'Enabled' }),
      ]),
    );

    const policy = JSON.stringify(resource('DataBucketPolicy').Properties);
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('"Effect":"Deny"');
  });

  it('gives each function only the access it needs, with no wildcard action or S3/SSM resource', () => {
    const extract = roleStatements(resource('ExtractIamRoleLambdaExecution'));
    const transform = roleStatements(resource('TransformIamRoleLambdaExecution'));
    const load = roleStatements(resource('LoadIamRoleLambdaExecution'));
    const grants = (statements: typeof extract, service: string) =>
      statements
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith(`${service}:`)))
        .flatMap((statement) =>
          actionsOf(statement).map((action) => `${action} ${render(statement.Resource)}`),
        )
        .sort();

    expect(grants(extract, 's3')).toEqual([
      's3:GetObject ${DataBucket.Arn}/staging/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/staging/*',
    ]);
    expect(grants(extract, 'ssm')).toEqual([
      expect.stringMatching(
        /^ssm:GetParameter arn:\$\{AWS::Partition\}:ssm:\$\{AWS::Region\}:\$\{AWS::AccountId\}:parameter\/spotify-etl-pipeline\/dev\/client-id,.*\/client-secret,.*\/refresh-token$/,
      ),
      'ssm:PutParameter arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/spotify-etl-pipeline/dev/refresh-token',
    ]);
    expect(grants(extract, 'kms')).toEqual([expect.stringMatching(/^kms:Decrypt /)]);
    expect(
      JSON.stringify(extract.find((statement) => actionsOf(statement).includes('kms:Decrypt'))?.Condition),
    ).toContain('kms:ViaService');

    expect(grants(transform, 's3')).toEqual([
      's3:GetObject ${DataBucket.Arn}/staging/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/staging/*',
    ]);
    expect(grants(transform, 'ssm')).toEqual([]);
    expect(grants(load, 's3')).toEqual([
      's3:GetObject ${DataBucket.Arn}/staging/*,${DataBucket.Arn}/latest/*,${DataBucket.Arn}/curated/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/curated/*,${DataBucket.Arn}/latest/*,${DataBucket.Arn}/runs/*',
    ]);
    expect(grants(load, 'ssm')).toEqual([]);

    // Only the per-function roles exist: no shared default role with broader permissions.
    const lambdaRoles = resourcesOfType(packaged.template, 'AWS::IAM::Role')
      .filter(([, role]) =>
        JSON.stringify(role.Properties?.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
      )
      .map(([id]) => id)
      .sort();
    expect(lambdaRoles).toEqual([
      'ExtractIamRoleLambdaExecution',
      'LoadIamRoleLambdaExecution',
      'TransformIamRoleLambdaExecution',
    ]);

    for (const statement of [...extract, ...transform, ...load]) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
      const resources = render(statement.Resource);
      if (actionsOf(statement).some((action) => /^(s3|ssm):/.test(action)))
        expect(resources).not.toMatch(/(^|,)\*($|,)/);
    }
  });

  it('alerts on failures: a topic the failure path may publish to, and an alarm on unsuccessful executions', () => {
    const [, topic] = resourcesOfType(packaged.template, 'AWS::SNS::Topic')[0] ?? [];
    expect(topic).toBeDefined();
    const machineRole = roleStatements(resource('PipelineStateMachineRole'));
    expect(
      machineRole
        .filter((statement) => actionsOf(statement).includes('sns:Publish'))
        .map((statement) => render(statement.Resource)),
    ).toEqual(['${AlertsTopic}']);

    const alarm = JSON.stringify(resource('PipelineFailedAlarm').Properties);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) expect(alarm).toContain(metric);
    expect(alarm).toContain('{"Ref":"PipelineStateMachine"}');
    expect(alarm).toContain('"AlarmActions":[{"Ref":"AlertsTopic"}]');

    const [, subscription] = resourcesOfType(packaged.template, 'AWS::SNS::Subscription')[0] ?? [];
    expect(subscription?.Condition).toBe('HasAlertEmail');
    expect(JSON.stringify(packaged.template.Conditions?.HasAlertEmail)).toContain('""');
  });

  it('subscribes the alert email given as a stage parameter', async () => {
    const withEmail = await packageService(['alertEmail=ops@example.com']);
    const [, subscription] = resourcesOfType(withEmail.template, 'AWS::SNS::Subscription')[0] ?? [];
    expect(subscription?.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'ops@example.com' });
    expect(JSON.stringify(withEmail.template.Conditions?.HasAlertEmail)).toContain('ops@example.com');
  }, 240_000);

  it('traces with X-Ray, keeps logs for 30 days and logs the state machine to CloudWatch', () => {
    for (const [, fn] of resourcesOfType(packaged.template, 'AWS::Lambda::Function')) {
      expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
      expect((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'SpotifyEtlPipeline',
      });
    }
    for (const role of [
      'ExtractIamRoleLambdaExecution',
      'TransformIamRoleLambdaExecution',
      'LoadIamRoleLambdaExecution',
    ]) {
      expect(roleStatements(resource(role)).flatMap(actionsOf)).toEqual(
        expect.arrayContaining(['xray:PutTraceSegments']),
      );
    }
    const groups = resourcesOfType(packaged.template, 'AWS::Logs::LogGroup');
    expect(groups.length).toBe(4);
    for (const [, group] of groups) expect(group.Properties?.RetentionInDays).toBe(30);
    const machine = resource('PipelineStateMachine').Properties ?? {};
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    expect(JSON.stringify(machine.LoggingConfiguration)).toContain(
      '{"Fn::GetAtt":["StateMachineLogGroup","Arn"]}',
    );
  });

  it('outputs the bucket name and the state machine ARN', () => {
    expect(render(packaged.template.Outputs?.DataBucketName?.Value)).toBe('${DataBucket}');
    expect(render(packaged.template.Outputs?.StateMachineArn?.Value)).toBe('${PipelineStateMachine}');
  });
});
