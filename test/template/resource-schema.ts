import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, ResourceProperties } from '@aws-cdk/service-spec-types';
import type { Template } from '../helpers/template';
import { intrinsic, isRecord } from './cfn-lint';

/**
 * Every resource of a packaged template checked against AWS's own CloudFormation resource schemas
 * (the registry schemas as AWS CDK ships them, @aws-cdk/aws-service-spec): what cfn-lint's E3xxx
 * rules check, offline and from npm. Known resource type (E3006), no unknown property (E3002),
 * every required property (E3003), each value of its property's type, where a string, number or
 * boolean may be given as any of the three, as CloudFormation converts them (E3012), an allowed
 * value where the schema lists them (E3030), and Fn::GetAtt only of attributes the type has (E1010).
 * A value computed at deploy time (Ref, Fn::Sub, ...) can only be checked for where it points.
 */

const spec = loadAwsServiceSpecSync();

const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
  'Metadata',
]);

/** Functions whose value is only known at deploy time: the schema cannot say more about them. */
const DEPLOY_TIME = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::Split',
  'Fn::ImportValue',
  'Fn::FindInMap',
  'Fn::Base64',
  'Fn::GetAZs',
  'Fn::Cidr',
  'Fn::ToJsonString',
  'Fn::Length',
]);

const isScalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function resourceSpec(cloudFormationType: string) {
  return spec.lookup('resource', 'cloudFormationType', 'equals', cloudFormationType)[0];
}

/** Problems of one value against its schema type, each naming where it is. */
function checkValue(value: unknown, type: PropertyType, at: string): string[] {
  const fn = intrinsic(value);
  if (fn) {
    const [name, args] = fn;
    if (name === 'Fn::If' && Array.isArray(args)) {
      // Both branches are checked, as cfn-lint does: a branch not taken today is taken tomorrow.
      return args
        .slice(1)
        .filter((branch) => !(isRecord(branch) && branch.Ref === 'AWS::NoValue'))
        .flatMap((branch, index) =>
          checkValue(branch, type, `${at}[Fn::If ${index === 0 ? 'true' : 'false'}]`),
        );
    }
    return DEPLOY_TIME.has(name) ? [] : [`${at}: ${name} cannot give a property value`];
  }
  switch (type.type) {
    case 'string':
    case 'date-time':
      if (!isScalar(value)) return [`${at}: expected a string, got ${JSON.stringify(value)}`];
      if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) {
        return [`${at}: ${JSON.stringify(value)} is not one of ${type.allowedValues.join(', ')}`];
      }
      return [];
    case 'integer':
    case 'number': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number))
        return [`${at}: expected a number, got ${JSON.stringify(value)}`];
      if (type.type === 'integer' && !Number.isInteger(number))
        return [`${at}: expected an integer, got ${String(value)}`];
      return [];
    }
    case 'boolean':
      return value === true || value === false || value === 'true' || value === 'false'
        ? []
        : [`${at}: expected true or false, got ${JSON.stringify(value)}`];
    case 'json':
      return isRecord(value) || Array.isArray(value) || typeof value === 'string'
        ? []
        : [`${at}: expected a JSON object, got ${JSON.stringify(value)}`];
    case 'null':
      return value === null ? [] : [`${at}: expected null`];
    case 'tag':
      return isRecord(value)
        ? checkObject(value, TAG_PROPERTIES, at)
        : [`${at}: expected a tag {Key, Value}`];
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((element, index) => checkValue(element, type.element, `${at}[${index}]`))
        : [`${at}: expected a list, got ${JSON.stringify(value)}`];
    case 'map':
      return isRecord(value)
        ? Object.entries(value).flatMap(([key, element]) => checkValue(element, type.element, `${at}.${key}`))
        : [`${at}: expected a map, got ${JSON.stringify(value)}`];
    case 'ref': {
      const definition = spec.get('typeDefinition', type.reference);
      return isRecord(value)
        ? checkObject(value, definition.properties, at)
        : [`${at}: expected a ${definition.name} object, got ${JSON.stringify(value)}`];
    }
    case 'union': {
      const attempts = type.types.map((member) => checkValue(value, member, at));
      return attempts.some((problems) => problems.length === 0) ? [] : (attempts[0] ?? []);
    }
  }
}

const TAG_PROPERTIES: ResourceProperties = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

function checkObject(value: Record<string, unknown>, properties: ResourceProperties, at: string): string[] {
  const problems: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) problems.push(`${at}: required property ${name} is missing`);
  }
  for (const [name, given] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      problems.push(`${at}: unknown property ${name}`);
      continue;
    }
    if (isRecord(given) && given.Ref === 'AWS::NoValue') continue;
    // A value of a type the property had before still deploys (the schema keeps it for that reason).
    const attempts = [property.type, ...(property.previousTypes ?? [])].map((type) =>
      checkValue(given, type, `${at}.${name}`),
    );
    if (!attempts.some((found) => found.length === 0)) problems.push(...(attempts[0] ?? []));
  }
  return problems;
}

/** Every Fn::GetAtt in a value, as [logical id, attribute]. */
function getAtts(value: unknown): [string, string][] {
  const fn = intrinsic(value);
  if (fn?.[0] === 'Fn::GetAtt') {
    const args = fn[1];
    const [id, ...attribute] = Array.isArray(args) ? args.map(String) : String(args).split('.');
    return [[id ?? '', attribute.join('.')]];
  }
  if (Array.isArray(value)) return value.flatMap(getAtts);
  if (isRecord(value)) return Object.values(value).flatMap(getAtts);
  return [];
}

/** Every problem of the template's resources against AWS's resource schemas; none means it passes. */
export function checkResourceSchemas(template: Template): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource')
      continue;
    const found = resourceSpec(resource.Type);
    if (!found) {
      problems.push(`${id}: unknown resource type ${resource.Type}`);
      continue;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) problems.push(`${id}: unknown resource attribute ${key}`);
    }
    problems.push(...checkObject(resource.Properties ?? {}, found.properties, id));
  }
  for (const [at, value] of [
    ...Object.entries(template.Resources),
    ...Object.entries(template.Outputs ?? {}).map(([id, output]) => [`Outputs.${id}`, output] as const),
  ]) {
    for (const [target, attribute] of getAtts(value)) {
      const type = template.Resources[target]?.Type;
      if (type === undefined) {
        problems.push(`${at}: Fn::GetAtt of ${target}, which is not a resource`);
        continue;
      }
      const attributes = resourceSpec(type)?.attributes;
      if (attributes && !(attribute in attributes)) {
        problems.push(`${at}: Fn::GetAtt ${target}.${attribute}: ${type} has no such attribute`);
      }
    }
  }
  return problems;
}
