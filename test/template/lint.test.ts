import { packageService, VARIANTS, type PackagedService, type Template } from '../helpers/template';
import { lintTemplate, modelOf } from './cfn-lint';

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
