import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runScript } from '../helpers/run-script';

/**
 * `npm run bastion` with a scripted `aws` command on PATH standing in for the AWS CLI (there is no
 * AWS here): it must ask CloudFormation for the right stack's output and print the session command.
 */
describe('npm run bastion', () => {
  let bin: string;
  beforeEach(async () => {
    bin = await mkdtemp(path.join(tmpdir(), 'fake-aws-'));
  });
  afterEach(() => rm(bin, { recursive: true, force: true }));

  async function fakeAws(script: string) {
    const file = path.join(bin, 'aws');
    await writeFile(file, `#!/bin/sh\necho "$@" >> "${bin}/calls"\n${script}\n`);
    await chmod(file, 0o755);
  }

  const run = (args: string[]) => runScript('bastion', args, { PATH: `${bin}:${process.env.PATH ?? ''}` });

  it("prints the stage's session command from the stack outputs", async () => {
    await fakeAws('echo "aws ssm start-session --target i-0abc123 --region eu-west-1"');
    const result = await run(['--stage', 'prod', '--region', 'eu-west-1']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('aws ssm start-session --target i-0abc123 --region eu-west-1');
    const { readFile } = await import('node:fs/promises');
    const calls = await readFile(path.join(bin, 'calls'), 'utf8');
    expect(calls).toContain(
      'cloudformation describe-stacks --stack-name spotify-etl-pipeline-prod --region eu-west-1',
    );
  });

  it('says how to deploy the bastion when the stack has none', async () => {
    await fakeAws('echo "None"');
    const result = await run([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--param="bastionEnabled=true"');
  });

  it('rejects a bad stage name', async () => {
    await fakeAws('exit 0');
    const result = await run(['--stage', 'a b']);
    expect(result.code).toBe(2);
  });
});
