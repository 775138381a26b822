import {
  actionsOf,
  packageService,
  VARIANTS,
  type PolicyStatement,
  render,
  resourceOf,
  resourcesOfType,
  roleStatements,
  stateMachineOf,
  type PackagedService,
} from '../helpers/template';

/** Asserts on the CloudFormation that `sls package` generates offline, with no AWS credentials. */
describe('packaged CloudFormation template', () => {
  let packaged: PackagedService;
  beforeAll(async () => {
    packaged = await packageService();
  }, 240_000);

  const resource = (logicalId: string) => resourceOf(packaged.template, logicalId);

  it('runs the six functions on nodejs24.x, arm64, each a small zip', () => {
    const functions = resourcesOfType(packaged.template, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'ExtractLambdaFunction',
      'FinalizeLambdaFunction',
      'ImportFileLambdaFunction',
      'LoadLambdaFunction',
      'PlanLambdaFunction',
      'TransformLambdaFunction',
    ]);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
    expect(Object.keys(packaged.zipSizes).sort()).toEqual([
      'extract',
      'finalize',
      'importFile',
      'load',
      'plan',
      'transform',
    ]);
    for (const size of Object.values(packaged.zipSizes)) expect(size).toBeLessThan(250 * 1024);
  });

  it('leaves no copy of the bundles in the temporary folder it zipped them from', () => {
    // serverless-esbuild leaves one folder per zip there; the project's own plugin removes them.
    expect(packaged.zipFoldersLeft).toEqual([]);
  });

  interface State {
    Type: string;
    Resource?: string;
    Next?: string;
    End?: boolean;
    Retry?: { ErrorEquals: string[] }[];
    Catch?: { Next: string }[];
    ItemsPath?: string;
    MaxConcurrencyPath?: string;
    ItemProcessor?: { StartAt: string; States: Record<string, State> };
  }

  const definitionOf = () => stateMachineOf<State>(packaged.template);

  it('plans, then runs Extract -> Transform -> Load once per source in a Map, then finalizes', () => {
    const { definition, functionOf } = definitionOf();
    const { States } = definition;
    expect(definition.StartAt).toBe('Plan');
    expect(functionOf(States.Plan)).toBe('${PlanLambdaFunction.Arn}');
    // A plain run goes straight to Sources; an import first archives its files (test/template/import.test.ts).
    expect(States.Plan?.Next).toBe('IsImport');
    expect(States.IsImport).toMatchObject({ Type: 'Choice', Default: 'ImportFiles' });
    const map = States.Sources;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.plan.items',
      MaxConcurrencyPath: '$.plan.concurrency',
      Next: 'Finalize',
    });
    const inner = map?.ItemProcessor?.States ?? {};
    expect(map?.ItemProcessor?.StartAt).toBe('FromSpotify');
    // A replay skips Extract: it rebuilds from the raw archive without calling Spotify.
    expect(inner.FromSpotify).toMatchObject({ Type: 'Choice', Default: 'FromArchive' });
    expect(inner.FromArchive).toMatchObject({ Type: 'Pass', Next: 'Transform' });
    expect(functionOf(inner.Extract)).toBe('${ExtractLambdaFunction.Arn}');
    expect(inner.Extract?.Next).toBe('Transform');
    expect(functionOf(inner.Transform)).toBe('${TransformLambdaFunction.Arn}');
    expect(inner.Transform?.Next).toBe('Load');
    expect(functionOf(inner.Load)).toBe('${LoadLambdaFunction.Arn}');
    expect(inner.Load?.Next).toBe('SourceSucceeded');
    for (const state of ['Extract', 'Transform', 'Load']) {
      const retried = inner[state]?.Retry?.flatMap((retrier) => retrier.ErrorEquals) ?? [];
      expect(retried).toEqual(
        expect.arrayContaining([
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
        ]),
      );
      // A source's failure is that iteration's result, not the execution's end.
      expect(inner[state]?.Catch?.[0]?.Next).toBe('SourceFailed');
    }
    const extractRetries = inner.Extract?.Retry?.flatMap((retrier) => retrier.ErrorEquals) ?? [];
    expect(extractRetries).toEqual(expect.arrayContaining(['SpotifyUnavailable', 'SpotifyRateLimited']));
    expect(extractRetries).not.toContain('SpotifyQuotaExceeded');
    expect(inner.SourceFailed).toMatchObject({ Type: 'Pass', End: true });
    expect(functionOf(States.Finalize)).toBe('${FinalizeLambdaFunction.Arn}');
    for (const state of ['Plan', 'Sources', 'Finalize'])
      expect(States[state]?.Catch?.[0]?.Next).toBe('NotifyFailure');
    expect(States.NotifyFailure).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Next: 'RecordFailure',
    });
    expect(States.NotifyFailure?.Catch?.[0]?.Next).toBe('RecordFailure');
    // The failure path leaves a run manifest too (Finalize, in its failure mode).
    expect(functionOf(States.RecordFailure)).toBe('${FinalizeLambdaFunction.Arn}');
    expect(States.RecordFailure).toMatchObject({ Next: 'PipelineFailed' });
    expect(States.RecordFailure?.Catch?.[0]?.Next).toBe('PipelineFailed');
    expect(States.NotifyWarning).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::sns:publish' });
    expect(States.PipelineFailed?.Type).toBe('Fail');
  });

  it('runs two UTC schedules, each naming its sources in the execution input', () => {
    const rules = resourcesOfType(packaged.template, 'AWS::Events::Rule').map(
      ([, rule]) => rule.Properties ?? {},
    );
    expect(rules).toHaveLength(2);
    const byExpression = Object.fromEntries(
      rules.map((rule) => {
        const [target] = rule.Targets as { Arn: unknown; Input: string }[];
        expect(render(target?.Arn)).toBe('${PipelineStateMachine}');
        expect(rule.State).toBe('ENABLED');
        return [String(rule.ScheduleExpression), JSON.parse(target?.Input ?? '{}') as unknown];
      }),
    );
    expect(byExpression).toEqual({
      'cron(0 6 * * ? *)': {
        sources: 'me:top-tracks:short_term,me:top-tracks:medium_term,me:top-tracks:long_term',
      },
      'rate(1 hour)': { sources: 'me:recently-played' },
    });
  });

  it('can be deployed with the schedule switched off', async () => {
    const off = await packageService(VARIANTS.custom);
    const states = resourcesOfType(off.template, 'AWS::Events::Rule').map(
      ([, rule]) => rule.Properties?.State,
    );
    expect(states).toEqual(['DISABLED', 'DISABLED']);
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

  it('hardens the deployment bucket: public access blocked, TLS only', () => {
    const bucket = resource('ServerlessDeploymentBucket').Properties ?? {};
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.stringify(bucket.BucketEncryption)).toContain('SSEAlgorithm');
    const policy = resource('ServerlessDeploymentBucketPolicy').Properties ?? {};
    expect(render(policy.Bucket)).toBe('${ServerlessDeploymentBucket}');
    const [statement, ...others] = (policy.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(others).toEqual([]);
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
    expect(render(statement?.Resource)).toBe(
      'arn:${AWS::Partition}:s3:::${ServerlessDeploymentBucket}/*,arn:${AWS::Partition}:s3:::${ServerlessDeploymentBucket}',
    );
    // osls writes the boolean false; IAM reads it as "false".
    expect(
      String((statement?.Condition as { Bool: Record<string, unknown> }).Bool['aws:SecureTransport']),
    ).toBe('false');
  });

  it('gives each function only the access it needs, with no wildcard action or S3/SSM resource', () => {
    const role = (name: string) => roleStatements(resource(`${name}IamRoleLambdaExecution`));
    const [plan, extract, transform, load, finalize] = [
      'Plan',
      'Extract',
      'Transform',
      'Load',
      'Finalize',
    ].map(role);
    const grants = (statements: PolicyStatement[] | undefined, service: string) =>
      (statements ?? [])
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith(`${service}:`)))
        .flatMap((statement) =>
          actionsOf(statement).map((action) => `${action} ${render(statement.Resource)}`),
        )
        .sort();

    expect(grants(plan, 's3')).toEqual(['s3:ListBucket ${DataBucket.Arn}']);
    expect(grants(plan, 'ssm')).toEqual([]);
    expect(grants(extract, 's3')).toEqual([
      's3:GetObject ${DataBucket.Arn}/raw/*',
      's3:GetObject ${DataBucket.Arn}/state/recently_played/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/raw/*',
    ]);
    expect(grants(extract, 'ssm')).toEqual([
      expect.stringMatching(
        /^ssm:GetParameter arn:\$\{AWS::Partition\}:ssm:\$\{AWS::Region\}:\$\{AWS::AccountId\}:parameter\/spotify-etl-pipeline\/dev\/client-id,.*\/client-secret,.*\/refresh-token$/,
      ),
      'ssm:PutParameter arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/spotify-etl-pipeline/dev/refresh-token',
    ]);
    expect(extract?.find((statement) => actionsOf(statement).includes('ssm:PutParameter'))?.Effect).toBe(
      'Allow',
    );
    // kms:Decrypt only through SSM, and only with the AWS managed key SSM uses (its id differs per account).
    expect(grants(extract, 'kms')).toEqual([
      'kms:Decrypt arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*',
    ]);
    const decrypt = extract?.find((statement) => actionsOf(statement).includes('kms:Decrypt'));
    expect(decrypt?.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/aws/ssm' },
    });
    expect(grants(transform, 's3')).toEqual([
      's3:GetObject ${DataBucket.Arn}/raw/*',
      's3:GetObject ${DataBucket.Arn}/staging/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/staging/*',
    ]);
    expect(grants(load, 's3')).toEqual([
      's3:GetObject ${DataBucket.Arn}/staging/*,${DataBucket.Arn}/latest/*,${DataBucket.Arn}/curated/*,${DataBucket.Arn}/state/recently_played/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/curated/*,${DataBucket.Arn}/latest/*,${DataBucket.Arn}/state/recently_played/*',
    ]);
    expect(grants(finalize, 's3')).toEqual([
      's3:DeleteObject ${DataBucket.Arn}/inbox/*',
      's3:GetObject ${DataBucket.Arn}/state/alerts/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/runs/*',
      's3:PutObject ${DataBucket.Arn}/state/alerts/*',
    ]);
    for (const statements of [transform, load, finalize]) expect(grants(statements, 'ssm')).toEqual([]);

    // Only the per-function roles exist: no shared default role with broader permissions.
    const lambdaRoles = resourcesOfType(packaged.template, 'AWS::IAM::Role')
      .filter(([, candidate]) =>
        JSON.stringify(candidate.Properties?.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
      )
      .map(([id]) => id)
      .sort();
    expect(lambdaRoles).toEqual(
      ['Extract', 'Finalize', 'ImportFile', 'Load', 'Plan', 'Transform'].map(
        (name) => `${name}IamRoleLambdaExecution`,
      ),
    );

    for (const statement of [plan, extract, transform, load, finalize].flatMap(
      (statements) => statements ?? [],
    )) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
      const resources = render(statement.Resource);
      if (actionsOf(statement).some((action) => /^(s3|ssm):/.test(action)))
        expect(resources).not.toMatch(/(^|,)\*($|,)/);
    }
  });

  it('writes the refresh token only in user-token mode', async () => {
    const appToken = await packageService(VARIANTS.custom);
    const extract = roleStatements(appToken.template.Resources.ExtractIamRoleLambdaExecution);
    const writes = extract.filter((statement) => actionsOf(statement).includes('ssm:PutParameter'));
    expect(writes.map((statement) => `${statement.Effect} ${render(statement.Resource)}`)).toEqual([
      'Deny arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/spotify-etl-pipeline/dev/refresh-token',
    ]);
  }, 240_000);

  it('alerts on failures: a topic the failure path may publish to, and an alarm on unsuccessful executions', () => {
    const topics = resourcesOfType(packaged.template, 'AWS::SNS::Topic');
    expect(topics.map(([id]) => id)).toEqual(['AlertsTopic']);
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

    // Encrypted with a customer managed key: CloudWatch alarms cannot use the AWS managed alias/aws/sns.
    expect(resource('AlertsTopic').Properties?.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': ['AlertsKey', 'Arn'],
    });
    const keyStatements = (
      resource('AlertsKey').Properties?.KeyPolicy as {
        Statement: (PolicyStatement & { Sid: string; Principal: unknown })[];
      }
    ).Statement;
    const keySid = (sid: string) => keyStatements.find((statement) => statement.Sid === sid);
    // The state machine's role publishes through SNS: the key lets this account's principals use it via SNS only.
    expect(keySid('PublishThroughSns')).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Condition: {
        StringEquals: {
          'kms:CallerAccount': { Ref: 'AWS::AccountId' },
          'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      },
    });
    expect(keySid('CloudWatchAlarmsPublish')).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    });
    const administrators = keySid('AccountAdministers')?.Principal as { AWS?: unknown } | undefined;
    expect(render(administrators?.AWS)).toBe('arn:${AWS::Partition}:iam::${AWS::AccountId}:root');

    const topicPolicy = resource('AlertsTopicPolicy').Properties ?? {};
    expect(topicPolicy.Topics).toEqual([{ Ref: 'AlertsTopic' }]);
    const topicStatements = (
      topicPolicy.PolicyDocument as { Statement: (PolicyStatement & { Sid: string })[] }
    ).Statement;
    const topicSid = (sid: string) => topicStatements.find((statement) => statement.Sid === sid);
    expect(topicSid('DenyInsecureTransport')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: { Ref: 'AlertsTopic' },
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(topicSid('StateMachinePublishes')).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': ['PipelineStateMachineRole', 'Arn'] } },
      Action: 'sns:Publish',
    });
    expect(topicSid('AlarmPublishes')).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['PipelineFailedAlarm', 'Arn'] } } },
    });
    expect(topicStatements.map((statement) => statement.Effect).sort()).toEqual(['Allow', 'Allow', 'Deny']);

    const [, subscription] = resourcesOfType(packaged.template, 'AWS::SNS::Subscription')[0] ?? [];
    expect(subscription?.Condition).toBe('HasAlertEmail');
    expect(subscription?.Properties?.Endpoint).toEqual({ Ref: 'AlertEmail' });
    expect(packaged.template.Conditions?.HasAlertEmail).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }],
    });
    expect(packaged.template.Parameters?.AlertEmail).toMatchObject({ Type: 'String', Default: '' });
  });

  it('subscribes the alert email given as a stage parameter', async () => {
    const withEmail = await packageService(VARIANTS.custom);
    const [, subscription] = resourcesOfType(withEmail.template, 'AWS::SNS::Subscription')[0] ?? [];
    expect(subscription?.Properties).toMatchObject({ Protocol: 'email', Endpoint: { Ref: 'AlertEmail' } });
    expect(withEmail.template.Parameters?.AlertEmail).toMatchObject({ Default: 'ops@example.com' });
  }, 240_000);

  it('traces with X-Ray, keeps logs for 30 days and logs the state machine to CloudWatch', () => {
    for (const [, fn] of resourcesOfType(packaged.template, 'AWS::Lambda::Function')) {
      expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
      expect((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'SpotifyEtlPipeline',
      });
    }
    for (const role of ['Plan', 'Extract', 'Transform', 'Load', 'Finalize'].map(
      (name) => `${name}IamRoleLambdaExecution`,
    )) {
      expect(roleStatements(resource(role)).flatMap(actionsOf)).toEqual(
        expect.arrayContaining(['xray:PutTraceSegments']),
      );
    }
    const groups = resourcesOfType(packaged.template, 'AWS::Logs::LogGroup');
    // One per function, one for the state machine.
    expect(groups.length).toBe(7);
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
