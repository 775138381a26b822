import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import { startAwsStandIn, type AwsStandIn } from '../aws-stand-in/server';

const execFileAsync = promisify(execFile);
const STACK = 'spotify-etl-pipeline-dev';
const STATE_MACHINE_ARN = `arn:aws:states:us-east-1:123456789012:stateMachine:${STACK}`;

/**
 * `sls invoke stepf` as the README tells users to run it, against the deployed stack's two AWS
 * APIs played by a loopback stand-in: which stack it looks up, which state machine it starts, with
 * what input, and how it reports the outcome.
 */
describe('sls invoke stepf', () => {
  let aws: AwsStandIn;
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'spotify-etl-invoke-'));
  });
  afterAll(() => rm(home, { recursive: true, force: true }));
  afterEach(() => aws.close());

  async function invoke(args: string[]) {
    const env = {
      ...process.env,
      HOME: home,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url,
      AWS_ENDPOINT_URL_SFN: aws.url,
    };
    const sls = path.join(PROJECT_ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [sls, 'invoke', 'stepf', ...args], {
        cwd: PROJECT_ROOT,
        env,
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  it("starts the stage's state machine with the given input and prints the result", async () => {
    aws = await startAwsStandIn({
      stackName: STACK,
      outputs: { PipelineStateMachineArn: STATE_MACHINE_ARN },
      executionStatus: 'SUCCEEDED',
    });
    const input = '{"playlistIds":["37i9dQZEVXbMDoHDwVN2tF"]}';
    const result = await invoke(['--name', 'pipeline', '--data', input]);
    expect(result.code).toBe(0);
    expect(aws.calls.map((call) => call.action)).toEqual([
      'DescribeStacks',
      'StartExecution',
      'DescribeExecution',
    ]);
    expect(aws.calls[0]?.params).toMatchObject({ StackName: STACK });
    expect(aws.calls[1]?.params).toEqual({ stateMachineArn: STATE_MACHINE_ARN, input });
    expect(result.stdout).toContain('"status": "SUCCEEDED"');
  });

  it('reads the input from a file with --path and targets another stage with --stage', async () => {
    aws = await startAwsStandIn({
      stackName: 'spotify-etl-pipeline-prod',
      outputs: { PipelineStateMachineArn: STATE_MACHINE_ARN.replace('-dev', '-prod') },
      executionStatus: 'FAILED',
    });
    const file = path.join(home, 'input.json');
    await writeFile(file, '{"snapshotDate":"2026-11-30"}');
    const result = await invoke(['--name', 'pipeline', '--stage', 'prod', '--path', file]);
    expect(aws.calls[0]?.params).toMatchObject({ StackName: 'spotify-etl-pipeline-prod' });
    expect(aws.calls[1]?.params).toMatchObject({ input: JSON.stringify({ snapshotDate: '2026-11-30' }) });
    // A failed execution is a non-zero exit, so scripts and CI notice it.
    expect(result.code).toBe(1);
  });

  it('refuses a state machine name the service does not define', async () => {
    aws = await startAwsStandIn({ stackName: STACK, outputs: {}, executionStatus: 'SUCCEEDED' });
    const unknown = await invoke(['--name', 'pipline']);
    expect(unknown.code).not.toBe(0);
    expect(`${unknown.stdout}${unknown.stderr}`).toContain('"pipline" stateMachine does not exists');
    expect(aws.calls.filter((call) => call.action === 'StartExecution')).toEqual([]);
  });
});
