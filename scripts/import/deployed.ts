import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { keys, toRunId } from '../../functions/commons/domain/keys';
import { STREAMING_HISTORY } from '../../functions/commons/domain/sources';
import { utcDateOf } from '../../functions/commons/domain/snapshot-date';
import { UsageError } from '../cli';
import type { ImportProgress } from './progress';

/** Where a deployed import goes: the stage's bucket and state machine. */
export interface DeployedTarget {
  readonly bucket: string;
  readonly stateMachineArn: string;
  readonly region: string;
}

const SERVICE = 'spotify-etl-pipeline';

/** The stage's bucket and state machine, from its CloudFormation stack's outputs (or as given). */
export async function deployedTarget(options: {
  readonly stage?: string;
  readonly bucket?: string;
  readonly stateMachineArn?: string;
  readonly region: string;
}): Promise<DeployedTarget> {
  if (options.bucket !== undefined && options.stateMachineArn !== undefined) {
    return { bucket: options.bucket, stateMachineArn: options.stateMachineArn, region: options.region };
  }
  const stackName = `${SERVICE}-${options.stage ?? 'dev'}`;
  const cloudFormation = new CloudFormationClient({ region: options.region });
  try {
    const described = await cloudFormation
      .send(new DescribeStacksCommand({ StackName: stackName }))
      .catch((error: unknown) => {
        throw new UsageError(
          `cannot read the stack ${stackName} in ${options.region} (${error instanceof Error ? error.message : String(error)}): ` +
            'deploy it first (npx sls deploy --stage <stage>), or check --stage, --region and your AWS credentials',
        );
      });
    const outputs = new Map(
      (described.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
    const bucket = outputs.get('DataBucketName');
    const stateMachineArn = outputs.get('StateMachineArn');
    if (!bucket || !stateMachineArn) {
      throw new UsageError(
        `the stack ${stackName} has no DataBucketName or StateMachineArn output: deploy this version first`,
      );
    }
    return { bucket, stateMachineArn, region: options.region };
  } finally {
    cloudFormation.destroy();
  }
}

const pollMs = () => Math.max(50, Number(process.env.IMPORT_POLL_SECONDS ?? '5') * 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the import's execution (named after its inbox folder, so its run manifest is found) and
 * follows it until it ends, counting the files ImportFile has archived.
 */
export async function runDeployedImport(
  s3: S3Client,
  target: DeployedTarget,
  options: { readonly importId: string; readonly input: unknown; readonly progress: ImportProgress },
): Promise<{ status: string; manifestKey: string; manifestText: string | undefined }> {
  const sfn = new SFNClient({ region: target.region });
  try {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: target.stateMachineArn,
        name: options.importId,
        input: JSON.stringify(options.input),
      }),
    );
    const executionArn = started.executionArn ?? '';
    const startDate = started.startDate ?? new Date();
    const runId = toRunId(options.importId);
    const snapshotDate = utcDateOf(startDate);
    const archivedPrefix = `${keys.rawDatePrefix(snapshotDate)}source=${STREAMING_HISTORY.slug}/run=${runId}.`;
    let status = 'RUNNING';
    while (status === 'RUNNING') {
      await sleep(pollMs());
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      status = described.status ?? 'RUNNING';
      const archived = await s3
        .send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix: archivedPrefix }))
        .then((listed) => listed.KeyCount ?? 0)
        .catch(() => 0);
      options.progress.polled(status, archived);
    }
    const manifestKey = keys.runManifest(snapshotDate, runId);
    const manifestText = await s3
      .send(new GetObjectCommand({ Bucket: target.bucket, Key: manifestKey }))
      .then((object) => object.Body?.transformToString('utf-8'))
      .catch(() => undefined);
    return { status, manifestKey, manifestText };
  } finally {
    sfn.destroy();
  }
}
