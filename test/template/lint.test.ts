import { packageService, VARIANTS, type PackagedService, type Template } from '../helpers/template';
import { lintTemplate, modelOf } from './cfn-lint';
import { checkResourceSchemas } from './resource-schema';

/** The parameter sets the other template tests package too, so that the packagings are shared. */
const PARAMETER_SETS: Record<string, readonly string[]> = {
  default: [],
  'bastion on': VARIANTS.bastion,
  'bastion with SSH in a given VPC, and every other setting changed': VARIANTS.custom,
};

describe('packaged template lint (what cfn-lint checks, as our own rules)', () => {
  const packaged: Record<string, PackagedService> = {};
  beforeAll(async () => {
    // Each packaging runs on its own copy of the project, so they can run side by side.
    const entries = await Promise.all(
      Object.entries(PARAMETER_SETS).map(
        async ([name, params]) => [name, await packageService(params)] as const,
      ),
    );
    for (const [name, result] of entries) packaged[name] = result;
  }, 300_000);
  const templateOf = (name: string): Template => {
    const found = packaged[name];
    if (!found) throw new Error(`not packaged: ${name}`);
    return found.template;
  };

  it.each(Object.keys(PARAMETER_SETS))(
    '%s: no empty literal, no dead branch with an empty value, every reference resolves',
    (name) => {
      expect(lintTemplate(templateOf(name))).toEqual([]);
    },
  );

  it.each(Object.keys(PARAMETER_SETS))(
    "%s: every resource matches AWS's CloudFormation resource schema (types, properties, attributes)",
    (name) => {
      expect(checkResourceSchemas(templateOf(name))).toEqual([]);
    },
  );

  it('takes the bastion network and SSH settings from typed-by-pattern parameters', () => {
    const vpc = templateOf('bastion with SSH in a given VPC, and every other setting changed');
    const model = modelOf(vpc);
    expect(model.parameters).toMatchObject({
      BastionEnabled: 'true',
      BastionVpcId: 'vpc-0123456789abcdef0',
      BastionSubnetId: 'subnet-0123456789abcdef0',
    });
    expect(model.condition('BastionHasVpc')).toBe(true);
    expect(model.condition('BastionHasSubnet')).toBe(true);
    expect(vpc.Resources.BastionSecurityGroup?.Properties?.VpcId).toEqual({
      'Fn::If': ['BastionHasVpc', { Ref: 'BastionVpcId' }, { Ref: 'AWS::NoValue' }],
    });
    // `--param` gives the string "false", which CloudFormation reads as the boolean.
    expect(JSON.stringify(vpc.Resources.BastionInstance?.Properties?.NetworkInterfaces)).toMatch(
      /"AssociatePublicIpAddress":"?false"?/,
    );

    const byDefault = modelOf(templateOf('default'));
    expect(byDefault.parameters).toMatchObject({
      BastionEnabled: 'false',
      BastionVpcId: '',
      BastionSshCidr: '',
    });
    expect(byDefault.condition('BastionHasVpc')).toBe(false);
    const ssh = modelOf(templateOf('bastion with SSH in a given VPC, and every other setting changed'));
    expect(ssh.condition('BastionSshAccess')).toBe(true);
    expect(ssh.parameters).toMatchObject({ BastionSshCidr: '203.0.113.7/32', BastionKeyName: 'my-key' });
  });

  it('rejects an SSH CIDR open to the internet, and ids that are not ids, before anything is created', () => {
    const parameters = templateOf('default').Parameters ?? {};
    const pattern = (name: string) => {
      const parameter = parameters[name] as { AllowedPattern?: string } | undefined;
      return new RegExp(parameter?.AllowedPattern ?? '(?!)');
    };
    for (const good of ['', '203.0.113.7/32', '10.0.0.0/8'])
      expect(pattern('BastionSshCidr').test(good)).toBe(true);
    for (const bad of ['0.0.0.0/0', '203.0.113.7', '203.0.113.7/33', '300.0.0.1/32', 'any'])
      expect(pattern('BastionSshCidr').test(bad)).toBe(false);
    expect(pattern('BastionVpcId').test('vpc-0123456789abcdef0')).toBe(true);
    expect(pattern('BastionVpcId').test('subnet-0123456789abcdef0')).toBe(false);
    expect(pattern('BastionSubnetId').test('subnet-01234567')).toBe(true);
    expect(pattern('BastionSubnetId').test('subnet-xyz')).toBe(false);
  });

  it('would have caught what cfn-lint reported on the old bastion', () => {
    // The old shape: stage parameters substituted as literals into properties and conditions.
    const old: Template = {
      Conditions: {
        BastionEnabled: { 'Fn::Equals': ['true', 'true'] },
        BastionHasVpc: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
      },
      Resources: {
        Group: {
          Type: 'AWS::EC2::SecurityGroup',
          Condition: 'BastionEnabled',
          Properties: { VpcId: { 'Fn::If': ['BastionHasVpc', '', { Ref: 'AWS::NoValue' }] } },
        },
        Ingress: {
          Type: 'AWS::EC2::SecurityGroupIngress',
          Condition: 'Missing',
          Properties: { CidrIp: '' },
        },
        Instance: {
          Type: 'AWS::EC2::Instance',
          DependsOn: ['Nothing'],
          Properties: {
            SecurityGroupIds: [{ 'Fn::GetAtt': ['Group', 'GroupId'] }, { Ref: 'Elsewhere' }],
            KeyName: { 'Fn::If': ['BastionEnabled', { Ref: 'Key' }, { Ref: 'AWS::NoValue' }] },
          },
        },
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: [], Resource: '' }] } }],
          },
        },
      },
      Parameters: { Key: { Type: 'String', Default: '' } },
    };
    const problems = lintTemplate(old).join('\n');
    expect(problems).toContain('Resources/Group/Properties/VpcId/Fn::If/1 is an empty string');
    expect(problems).toContain('Resources/Ingress: condition "Missing" does not exist');
    expect(problems).toContain('DependsOn names Nothing, which is not a resource');
    expect(problems).toContain('Ref names Elsewhere, which is not a resource');
    expect(problems).toContain('Ref to Key, which is empty, in a property that is set');
    expect(problems).toContain('Statement/0 has no Action');
    expect(problems).toContain('Statement/0 has no Resource');
  });
});

describe("the resource schema check (AWS's CloudFormation registry schemas)", () => {
  const templateWith = (resources: Template['Resources'], outputs: Template['Outputs'] = {}): Template => ({
    Resources: resources,
    Outputs: outputs,
  });

  it('passes a correct resource, with deploy-time values and both branches of an Fn::If', () => {
    const template = templateWith({
      Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } },
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          MessageRetentionPeriod: '1209600',
          VisibilityTimeout: { 'Fn::If': ['Long', 900, { Ref: 'AWS::NoValue' }] },
          Tags: [{ Key: 'topic', Value: { 'Fn::GetAtt': ['Topic', 'TopicArn'] } }],
        },
      },
    });
    expect(checkResourceSchemas(template)).toEqual([]);
  });

  it('finds what cfn-lint would: unknown types, properties and attributes, missing and mistyped values', () => {
    const template = templateWith(
      {
        Bucket: { Type: 'AWS::S3::Bukket', Properties: {} },
        Function: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { ZipFile: 'exports.handler = async () => 1;' },
            MemorySize: 'lots',
            Timeout: 2.5,
            Architectures: 'arm64',
            Handlr: 'index.handler',
          },
        },
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            BillingMode: { 'Fn::If': ['Cheap', 'PAY_PER_REQUEST', ['PROVISIONED']] },
          },
          Conditon: 'Cheap',
        },
      },
      { Arn: { Value: { 'Fn::GetAtt': ['Function', 'Url'] } } },
    );
    const problems = checkResourceSchemas(template).join('\n');
    expect(problems).toContain('Bucket: unknown resource type AWS::S3::Bukket');
    expect(problems).toContain('Function: required property Role is missing');
    expect(problems).toContain('Function.MemorySize: expected a number, got "lots"');
    expect(problems).toContain('Function.Timeout: expected an integer, got 2.5');
    expect(problems).toContain('Function.Architectures: expected a list, got "arm64"');
    expect(problems).toContain('Function: unknown property Handlr');
    expect(problems).toContain('Table.BillingMode[Fn::If false]: expected a string, got ["PROVISIONED"]');
    expect(problems).toContain('Table: unknown resource attribute Conditon');
    expect(problems).toContain(
      'Outputs.Arn: Fn::GetAtt Function.Url: AWS::Lambda::Function has no such attribute',
    );
  });
});
