import {
  actionsOf,
  packageService,
  VARIANTS,
  render,
  roleStatements,
  type PackagedService,
  type Template,
} from '../helpers/template';
import { modelOf } from './cfn-lint';

const BASTION_TYPES = [
  'AWS::EC2::Instance',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::IAM::InstanceProfile',
];

/** Resources that exist once CloudFormation has evaluated their conditions (parameters at their defaults). */
function deployed(template: Template) {
  const model = modelOf(template);
  return Object.fromEntries(Object.entries(template.Resources).filter(([id]) => model.deployed(id)));
}

/** A property's value as CloudFormation resolves it: a Ref to a parameter becomes its default. */
function resolved(template: Template, value: unknown): unknown {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' && ref in (template.Parameters ?? {})
    ? modelOf(template).parameters[ref]
    : value;
}

describe('inspection bastion (resources/bastion.yml)', () => {
  let off: PackagedService;
  let on: PackagedService;
  let withSsh: PackagedService;
  beforeAll(async () => {
    [off, on, withSsh] = await Promise.all([
      packageService(),
      packageService(VARIANTS.bastion),
      packageService(VARIANTS.custom),
    ]);
  }, 240_000);

  it('is off by default: the condition removes every bastion resource and output', () => {
    const resources = deployed(off.template);
    expect(Object.values(resources).filter((resource) => BASTION_TYPES.includes(resource.Type))).toEqual([]);
    expect(Object.keys(resources).filter((id) => id.startsWith('Bastion'))).toEqual([]);
    for (const id of ['BastionInstanceId', 'BastionSessionCommand']) {
      const output = off.template.Outputs?.[id] as { Condition?: string } | undefined;
      expect(output?.Condition).toBe('BastionEnabled');
    }
    expect(modelOf(off.template).condition('BastionEnabled')).toBe(false);
    // The stage parameters arrive as the defaults of CloudFormation parameters, not as literals.
    expect(modelOf(off.template).parameters).toMatchObject({
      BastionEnabled: 'false',
      BastionVpcId: '',
      BastionSubnetId: '',
      BastionSshCidr: '',
      BastionKeyName: '',
    });
  });

  it('when on: a small arm64 Amazon Linux 2023 instance, IMDSv2 only, encrypted disk, no inbound rule', () => {
    const resources = deployed(on.template);
    const instance = resources.BastionInstance?.Properties ?? {};
    expect(instance.InstanceType).toBe('t4g.nano');
    expect(instance.ImageId).toBe(
      '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}',
    );
    expect(instance.MetadataOptions).toEqual({
      HttpEndpoint: 'enabled',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
    });
    expect(JSON.stringify(instance.BlockDeviceMappings)).toContain('"Encrypted":true');
    expect(instance.KeyName).toEqual({
      'Fn::If': ['BastionSshAccess', { Ref: 'BastionKeyName' }, { Ref: 'AWS::NoValue' }],
    });
    expect(modelOf(on.template).condition('BastionSshAccess')).toBe(false);
    // The default VPC: no VpcId and no SubnetId reach EC2.
    expect(modelOf(on.template).condition('BastionHasVpc')).toBe(false);
    expect(modelOf(on.template).condition('BastionHasSubnet')).toBe(false);

    const group = resources.BastionSecurityGroup?.Properties ?? {};
    expect(group.SecurityGroupIngress).toBeUndefined();
    expect(
      Object.values(resources).filter((resource) => resource.Type === 'AWS::EC2::SecurityGroupIngress'),
    ).toEqual([]);
    expect(group.SecurityGroupEgress).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443 })]);
  });

  it('when on: Session Manager access, read-only access to exactly the data bucket, no pipeline secrets', () => {
    const role = deployed(on.template).BastionRole;
    expect(JSON.stringify(role?.Properties?.ManagedPolicyArns)).toContain(
      'policy/AmazonSSMManagedInstanceCore',
    );
    const grants = roleStatements(role)
      .flatMap((statement) =>
        actionsOf(statement).map((action) => `${statement.Effect} ${action} ${render(statement.Resource)}`),
      )
      .sort();
    expect(grants).toEqual([
      'Allow s3:GetObject ${DataBucket.Arn}/*',
      'Allow s3:ListBucket ${DataBucket.Arn}',
      'Deny ssm:GetParameter arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/spotify-etl-pipeline/*',
      'Deny ssm:GetParameters arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/spotify-etl-pipeline/*',
      'Deny ssm:GetParametersByPath arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/spotify-etl-pipeline/*',
    ]);
    expect(render(on.template.Outputs?.BastionSessionCommand?.Value)).toBe(
      'aws ssm start-session --target ${BastionInstance} --region ${AWS::Region}',
    );
  });

  it('opens SSH only when both a CIDR and a key pair are given, and only from that CIDR', () => {
    const resources = deployed(withSsh.template);
    const ingress = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::EC2::SecurityGroupIngress',
    );
    expect(ingress).toHaveLength(1);
    expect(ingress[0]?.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 });
    expect(resolved(withSsh.template, ingress[0]?.Properties?.CidrIp)).toBe('203.0.113.7/32');
    expect(modelOf(withSsh.template).condition('BastionSshAccess')).toBe(true);
    expect(modelOf(withSsh.template).parameters.BastionKeyName).toBe('my-key');
    for (const template of [off.template, on.template, withSsh.template]) {
      expect(JSON.stringify(template)).not.toContain('0.0.0.0/0","Description":"SSH');
      for (const resource of Object.values(deployed(template))) {
        if (resource.Type === 'AWS::EC2::SecurityGroupIngress')
          expect(resolved(template, resource.Properties?.CidrIp)).not.toBe('0.0.0.0/0');
      }
    }
  });
});
