import type { Template } from '../helpers/template';

/**
 * Our own checks of a packaged CloudFormation template, for what cfn-lint found (E1151, E1154, E1155,
 * E3002, E3021: empty literals, and ids through branches that can never be taken). Parameters take
 * their defaults: `sls deploy` passes no stack parameters, so the defaults are what gets deployed.
 */

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

type Json = Record<string, unknown>;
export const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
/** The one key of an intrinsic function object ({"Ref": ...}, {"Fn::If": ...}), if it is one. */
export function intrinsic(value: unknown): [string, unknown] | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  if (keys.length !== 1 || key === undefined) return undefined;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? [key, value[key]] : undefined;
}

export interface TemplateModel {
  readonly parameters: Record<string, string>;
  readonly condition: (name: string) => boolean;
  /** Parameters a condition reads, directly or through other conditions. */
  readonly conditionParameters: (name: string) => Set<string>;
  readonly deployed: (logicalId: string) => boolean;
}

export function modelOf(template: Template): TemplateModel {
  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const fallback = isRecord(parameter) ? parameter.Default : undefined;
    if (typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean')
      parameters[name] = String(fallback);
  }
  const conditions = template.Conditions ?? {};
  const evaluate = (expression: unknown): boolean | string => {
    if (['string', 'number', 'boolean'].includes(typeof expression)) return String(expression);
    const fn = intrinsic(expression);
    if (!fn) throw new Error(`cannot evaluate ${JSON.stringify(expression)}`);
    const [key, args] = fn;
    const list = asArray(args);
    switch (key) {
      case 'Ref': {
        const value = parameters[String(args)];
        if (value === undefined) throw new Error(`condition Ref to ${String(args)}, which has no default`);
        return value;
      }
      case 'Condition':
        return condition(String(args));
      case 'Fn::Equals':
        return evaluate(list[0]) === evaluate(list[1]);
      case 'Fn::Not':
        return evaluate(list[0]) !== true;
      case 'Fn::And':
        return list.every((item) => evaluate(item) === true);
      case 'Fn::Or':
        return list.some((item) => evaluate(item) === true);
      default:
        throw new Error(`cannot evaluate ${key} in a condition`);
    }
  };
  const condition = (name: string): boolean => {
    if (!(name in conditions)) throw new Error(`no condition ${name}`);
    const result = evaluate(conditions[name]);
    if (typeof result !== 'boolean') throw new Error(`condition ${name} is not boolean`);
    return result;
  };
  const conditionParameters = (name: string, seen = new Set<string>()): Set<string> => {
    const found = new Set<string>();
    if (seen.has(name)) return found;
    seen.add(name);
    const visit = (expression: unknown) => {
      const fn = intrinsic(expression);
      if (fn?.[0] === 'Ref') found.add(String(fn[1]));
      else if (fn?.[0] === 'Condition')
        for (const parameter of conditionParameters(String(fn[1]), seen)) found.add(parameter);
      else if (fn) asArray(fn[1]).forEach(visit);
    };
    visit(conditions[name]);
    return found;
  };
  const deployed = (logicalId: string): boolean => {
    const resource = template.Resources[logicalId];
    return resource !== undefined && (resource.Condition === undefined || condition(resource.Condition));
  };
  return { parameters, condition, conditionParameters: (name) => conditionParameters(name), deployed };
}

interface Walk {
  readonly path: string;
  /** False inside a resource or output that is not created, or inside an Fn::If branch not taken. */
  readonly live: boolean;
  /** The false conditions that made this part dead. */
  readonly deadBecause: readonly string[];
}

/** Every problem found, as readable lines; an empty list when the template passes. */
export function lintTemplate(template: Template): string[] {
  const problems: string[] = [];
  const model = modelOf(template);
  const conditions = template.Conditions ?? {};
  const resources = template.Resources;
  const parameterNames = new Set(Object.keys(template.Parameters ?? {}));

  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    if (!isRecord(parameter)) continue;
    // sls passes no stack parameters: one without a default would fail every deploy.
    if (parameter.Default === undefined) problems.push(`Parameters/${name} has no Default`);
    const value = model.parameters[name];
    if (value === undefined) continue;
    if (typeof parameter.AllowedPattern === 'string' && !new RegExp(parameter.AllowedPattern).test(value))
      problems.push(`Parameters/${name}: default ${JSON.stringify(value)} does not match its AllowedPattern`);
    if (Array.isArray(parameter.AllowedValues) && !parameter.AllowedValues.map(String).includes(value))
      problems.push(`Parameters/${name}: default ${JSON.stringify(value)} is not one of its AllowedValues`);
  }

  const checkCondition = (name: unknown, path: string): boolean => {
    if (typeof name === 'string' && name in conditions) return true;
    problems.push(`${path}: condition ${JSON.stringify(name)} does not exist`);
    return false;
  };
  const visitConditionExpression = (expression: unknown, path: string) => {
    const fn = intrinsic(expression);
    if (!fn) return;
    const [key, args] = fn;
    if (key === 'Condition') checkCondition(args, path);
    else if (key === 'Ref') {
      const name = String(args);
      if (!parameterNames.has(name) && !PSEUDO_PARAMETERS.has(name))
        problems.push(`${path}: a condition may Ref only parameters, not ${name}`);
    } else asArray(args).forEach((item) => visitConditionExpression(item, path));
  };
  for (const [name, expression] of Object.entries(conditions)) {
    visitConditionExpression(expression, `Conditions/${name}`);
    try {
      model.condition(name);
    } catch (error) {
      problems.push(`Conditions/${name}: ${String(error)}`);
    }
  }

  const checkTarget = (id: string, at: Walk, what: string) => {
    if (!(id in resources)) problems.push(`${at.path}: ${what} names ${id}, which is not a resource`);
    else if (at.live && !model.deployed(id))
      problems.push(`${at.path}: ${what} to ${id}, which is not created for these parameters`);
  };
  const checkRef = (name: string, at: Walk) => {
    if (PSEUDO_PARAMETERS.has(name)) return;
    if (parameterNames.has(name)) {
      if (model.parameters[name] !== '') return;
      if (at.live) problems.push(`${at.path}: Ref to ${name}, which is empty, in a property that is set`);
      // Dead only because of a condition that does not test this parameter: CloudFormation (and
      // cfn-lint) cannot tell that the empty value is never used.
      else if (!at.deadBecause.some((name_) => model.conditionParameters(name_).has(name)))
        problems.push(`${at.path}: Ref to the empty ${name} in a branch that no condition on it rules out`);
      return;
    }
    checkTarget(name, at, 'Ref');
  };
  const checkSub = (text: string, variables: Set<string>, at: Walk) => {
    for (const [, variable = ''] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      if (variables.has(variable)) continue;
      const [id = '', attribute] = variable.split('.');
      if (attribute !== undefined) checkTarget(id, at, 'Fn::Sub GetAtt');
      else checkRef(variable, at);
    }
  };

  const walk = (value: unknown, at: Walk): void => {
    if (value === '') {
      problems.push(`${at.path} is an empty string`);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, { ...at, path: `${at.path}/${index}` }));
      return;
    }
    if (!isRecord(value)) return;
    const fn = intrinsic(value);
    if (!fn) {
      for (const [key, item] of Object.entries(value)) walk(item, { ...at, path: `${at.path}/${key}` });
      return;
    }
    const [key, args] = fn;
    const inner = { ...at, path: `${at.path}/${key}` };
    switch (key) {
      case 'Ref':
        checkRef(String(args), at);
        return;
      case 'Fn::GetAtt': {
        const [id = ''] = typeof args === 'string' ? args.split('.') : asArray(args).map(String);
        checkTarget(id, at, 'Fn::GetAtt');
        return;
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = asArray(args);
        if (!checkCondition(name, at.path)) return;
        const holds = model.condition(String(name));
        const branch = (taken: boolean, item: unknown, index: number) =>
          walk(item, {
            path: `${inner.path}/${index}`,
            live: at.live && taken,
            deadBecause: taken ? at.deadBecause : [...at.deadBecause, String(name)],
          });
        branch(holds, whenTrue, 1);
        branch(!holds, whenFalse, 2);
        return;
      }
      case 'Fn::Join': {
        // The delimiter may be empty; the parts are checked.
        const [, parts] = asArray(args);
        walk(parts, { ...inner, path: `${inner.path}/1` });
        return;
      }
      case 'Fn::Sub': {
        const [text, map] = asArray(args);
        const variables = new Set(isRecord(map) ? Object.keys(map) : []);
        if (typeof text === 'string') checkSub(text, variables, at);
        if (text === '') problems.push(`${inner.path} substitutes into an empty string`);
        if (isRecord(map)) walk(map, { ...inner, path: `${inner.path}/1` });
        return;
      }
      default:
        walk(args, inner);
    }
  };

  for (const [id, resource] of Object.entries(resources)) {
    const path = `Resources/${id}`;
    const record: Json = resource;
    if (resource.Condition !== undefined && !checkCondition(resource.Condition, path)) continue;
    const live = model.deployed(id);
    const deadBecause = resource.Condition !== undefined && !live ? [resource.Condition] : [];
    for (const target of record.DependsOn === undefined ? [] : asArray(record.DependsOn))
      checkTarget(String(target), { path: `${path}/DependsOn`, live, deadBecause }, 'DependsOn');
    walk(resource.Properties ?? {}, { path: `${path}/Properties`, live, deadBecause });
    if (live) problems.push(...policyProblems(resource.Properties ?? {}, path, model));
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    const path = `Outputs/${id}`;
    const name: unknown = output.Condition;
    if (name !== undefined && !checkCondition(name, path)) continue;
    const condition = typeof name === 'string' ? name : undefined;
    const live = condition === undefined || model.condition(condition);
    walk(output.Value, { path: `${path}/Value`, live, deadBecause: condition && !live ? [condition] : [] });
  }
  return problems;
}

/** The value CloudFormation sees: taken Fn::If branches, AWS::NoValue removed. */
function prune(value: unknown, model: TemplateModel): unknown {
  const noValue = Symbol('NoValue');
  const visit = (item: unknown): unknown => {
    const fn = intrinsic(item);
    if (fn?.[0] === 'Ref' && fn[1] === 'AWS::NoValue') return noValue;
    if (fn?.[0] === 'Fn::If') {
      const [name, whenTrue, whenFalse] = asArray(fn[1]);
      return visit(model.condition(String(name)) ? whenTrue : whenFalse);
    }
    if (Array.isArray(item)) return item.map(visit).filter((entry) => entry !== noValue);
    if (isRecord(item) && !fn)
      return Object.fromEntries(
        Object.entries(item)
          .map(([key, entry]) => [key, visit(entry)] as const)
          .filter(([, entry]) => entry !== noValue),
      );
    return item;
  };
  return visit(value);
}

/** IAM, bucket, topic and key policies: every statement has an effect, actions and resources. */
function policyProblems(properties: Json, path: string, model: TemplateModel): string[] {
  const problems: string[] = [];
  const empty = (value: unknown) =>
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && (value.length === 0 || value.some(empty)));
  const visit = (value: unknown, at: string) => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${at}/${index}`));
    if (!isRecord(value)) return;
    for (const [key, item] of Object.entries(value)) {
      // Trust policies name principals, not resources.
      if ((key === 'PolicyDocument' || key === 'KeyPolicy') && isRecord(item)) {
        asArray(item.Statement).forEach((statement, index) => {
          const where = `${at}/${key}/Statement/${index}`;
          if (!isRecord(statement)) {
            problems.push(`${where} is not an object`);
            return;
          }
          if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
            problems.push(`${where}: Effect ${JSON.stringify(statement.Effect)}`);
          if (empty(statement.Action ?? statement.NotAction)) problems.push(`${where} has no Action`);
          if (empty(statement.Resource ?? statement.NotResource)) problems.push(`${where} has no Resource`);
        });
      } else visit(item, `${at}/${key}`);
    }
  };
  visit(prune(properties, model), `${path}/Properties`);
  return problems;
}
