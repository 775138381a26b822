/**
 * `npm run bastion`: prints (or, with --connect, runs) the SSM Session Manager command that opens a
 * shell on the deployed stage's bastion. Needs the AWS CLI with the Session Manager plugin and
 * credentials. Exit codes: 0 ok, 1 failed, 2 bad usage.
 */
import { spawnSync } from 'node:child_process';
import { parseFlags, runCommand, UsageError, type Command } from './cli';

const USAGE = `Usage: npm run bastion -- [--stage dev] [--region us-east-1] [--connect]

Prints the command that opens a shell on the inspection bastion of a deployed stage
(deploy it with --param="bastionEnabled=true"). --connect runs it.`;

function main(): number {
  const values = parseFlags({
    stage: { type: 'string', default: 'dev' },
    region: { type: 'string' },
    connect: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!/^[A-Za-z0-9-]+$/.test(values.stage))
    throw new UsageError(`--stage must be a stage name, got "${values.stage}"`);
  const stack = `spotify-etl-pipeline-${values.stage}`;
  const regionArgs = values.region ? ['--region', values.region] : [];
  const query = "Stacks[0].Outputs[?OutputKey=='BastionSessionCommand'].OutputValue";
  const described = spawnSync(
    'aws',
    [
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      stack,
      ...regionArgs,
      '--query',
      query,
      '--output',
      'text',
    ],
    { encoding: 'utf8' },
  );
  if (described.error) {
    console.error(
      'The AWS CLI was not found. Install it (and the Session Manager plugin) to reach the bastion.',
    );
    return 1;
  }
  if (described.status !== 0) {
    console.error(`Could not read stack ${stack}: ${described.stderr.trim()}`);
    return 1;
  }
  const command = described.stdout.trim();
  if (!command.startsWith('aws ssm start-session')) {
    console.error(
      `Stack ${stack} has no bastion. Deploy it with: npx sls deploy --stage ${values.stage} --param="bastionEnabled=true"`,
    );
    return 1;
  }
  if (!values.connect) {
    console.log(command);
    return 0;
  }
  const [program = 'aws', ...args] = command.split(' ');
  return spawnSync(program, args, { stdio: 'inherit' }).status ?? 1;
}

export const command: Command = { usage: USAGE, main };

// Run as the entry point (npm run ...); a test imports `command` and runs it in the test's process (test/helpers/run-in-process.ts).
if (require.main === module) runCommand(command);
