/**
 * `npm run import:history -- PATH...`: imports Spotify's "Extended streaming history" export into
 * `recently_played`, locally (the local state machine and bucket, like `npm run local`) or into a
 * deployed stage (uploads to its inbox/ and starts an execution). Exit codes: 0 imported, 1 failed
 * (nothing published from a bad file), 2 bad usage, 130 interrupted.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { keys, PREFIXES } from '../functions/commons/domain/keys';
import { MAX_EXPORT_FILE_BYTES, MAX_EXPORT_FILES } from '../functions/sources/streaming-history';
import { parseFlagsAndOperands, runCommand, UsageError, type Command } from './cli';
import { deployedTarget, runDeployedImport } from './import/deployed';
import { findExportFiles, type ExportFile } from './import/export-files';
import { prepareFile, type PreparedFile } from './import/prepare';
import { ImportProgress } from './import/progress';
import { sampleExportFiles } from './import/sample';
import { parseImportManifest, summarizeImport } from './import/summary';
import { LOCAL_S3_CREDENTIALS } from './local/local-s3';
import { PROJECT_ROOT, localDataDir } from './local/project-files';
import { runLocalExecution } from './local/run-local';

const USAGE = `Usage: npm run import:history -- [options] PATH...

Imports Spotify's "Extended streaming history" export (request it on spotify.com/account/privacy;
it arrives by e-mail within 30 days) into the recently_played dataset, merged with the plays the
API reported: every play once. PATH is the zip Spotify sends, the folder it unpacks to, or some
of its Streaming_History_Audio_*.json files. Each file is checked here first; the export's IP
addresses, user agents and user name never leave this machine.

Options:
  --sample               import the offline sample's export instead (no PATH, no Spotify account)
  --include-incognito    import plays made in a private session too (left out by default)
  --stage NAME           import into that deployed stage (its stack's bucket and state machine)
  --region REGION        the stage's region (default: AWS_REGION, else us-east-1)
  --bucket NAME          with --state-machine: import into this bucket instead of a stage's
  --state-machine ARN    the state machine to start with --bucket
  --verbose              print the handlers' structured logs (local import)
  --help                 show this help

Without --stage or --bucket the import runs locally, into LOCAL_DATA_DIR (default .local/).
Files of up to ${MAX_EXPORT_FILE_BYTES / 1024 / 1024} MiB each, at most ${MAX_EXPORT_FILES} per import.`;

const OPTIONS = {
  sample: { type: 'boolean', default: false },
  'include-incognito': { type: 'boolean', default: false },
  stage: { type: 'string' },
  region: { type: 'string' },
  bucket: { type: 'string' },
  'state-machine': { type: 'string' },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** `history-20261201T101500Z-k3x9`: the inbox folder, the execution's name and its run id. */
function newImportId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `history-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

async function prepareAll(
  files: readonly ExportFile[],
  includeIncognito: boolean,
  progress: ImportProgress,
): Promise<PreparedFile[]> {
  const prepared: PreparedFile[] = [];
  for (const file of files) {
    const ready = await prepareFile(file, { includeIncognito });
    prepared.push(ready);
    progress.checked(ready);
  }
  return prepared;
}

async function upload(
  s3: S3Client,
  bucket: string,
  prefix: string,
  prepared: readonly PreparedFile[],
  progress: ImportProgress,
) {
  for (const file of prepared) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}${file.name}`,
        Body: file.body,
        ContentType: 'application/json',
      }),
    );
    progress.uploaded(file);
  }
}

async function main(): Promise<number> {
  const { values: flags, operands } = parseFlagsAndOperands(OPTIONS);
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  if (flags.sample && operands.length > 0) throw new UsageError('give either --sample or PATH, not both');
  if (!flags.sample && operands.length === 0) {
    throw new UsageError(
      'give the export to import (its zip, folder or JSON files), or --sample to try the offline sample',
    );
  }
  if (flags.bucket !== undefined && flags['state-machine'] === undefined) {
    throw new UsageError('--bucket needs --state-machine ARN (or use --stage NAME, which finds both)');
  }
  if (flags.stage !== undefined && flags.bucket !== undefined)
    throw new UsageError('give --stage or --bucket, not both');
  const deployed = flags.stage !== undefined || flags.bucket !== undefined;
  if (!deployed && flags.region !== undefined) throw new UsageError('--region goes with --stage or --bucket');

  const envFile = path.join(PROJECT_ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  process.env.POWERTOOLS_LOG_LEVEL = flags.verbose ? 'INFO' : 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = flags.verbose ? 'false' : 'true';

  const now = new Date();
  const importId = newImportId(now);
  const prefix = keys.inboxFolder(importId);
  const includeIncognito = flags['include-incognito'];
  const input = { import: { prefix, includeIncognito } };
  const found = flags.sample
    ? { files: sampleExportFiles(now), close: () => undefined }
    : await findExportFiles(operands);
  const progress = new ImportProgress(found.files, (line) => console.log(line));
  const interrupted = () => {
    console.error(
      '\nInterrupted: stopped. Nothing is published until every file has passed; run the import again.',
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let prepared: PreparedFile[];
  try {
    progress.start(flags.sample ? 'the offline sample export' : operands.join(', '));
    prepared = await prepareAll(found.files, includeIncognito, progress);
  } finally {
    found.close();
  }

  if (deployed) {
    const target = await deployedTarget({
      ...(flags.stage === undefined ? {} : { stage: flags.stage }),
      ...(flags.bucket === undefined ? {} : { bucket: flags.bucket }),
      ...(flags['state-machine'] === undefined ? {} : { stateMachineArn: flags['state-machine'] }),
      region: flags.region ?? process.env.AWS_REGION ?? 'us-east-1',
    });
    // S3_ENDPOINT: an S3-compatible server, as for the Lambdas (path-style addressing).
    const endpoint = process.env.S3_ENDPOINT?.trim();
    const s3 = new S3Client({
      region: target.region,
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    });
    try {
      await upload(s3, target.bucket, prefix, prepared, progress);
      const outcome = await runDeployedImport(s3, target, { importId, input, progress });
      for (const line of summarizeImport(parseImportManifest(outcome.manifestText ?? ''), prepared, {
        curated: `s3://${target.bucket}/${PREFIXES.recentlyPlayed}`,
        manifest: `s3://${target.bucket}/${outcome.manifestKey}`,
      })) {
        console.log(line);
      }
      return outcome.status === 'SUCCEEDED' ? 0 : 1;
    } finally {
      s3.destroy();
    }
  }

  const dataDir = localDataDir();
  const result = await runLocalExecution({
    dataDir,
    input,
    executionName: importId,
    beforeExecution: async ({ endpoint, bucket }) => {
      const s3 = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: LOCAL_S3_CREDENTIALS,
      });
      try {
        await upload(s3, bucket, prefix, prepared, progress);
      } finally {
        s3.destroy();
      }
    },
    onNotice: (line) => console.log(line),
    onEvent: (event) => progress.event(event),
  });
  const manifestFile = result.fileOf(result.manifestKey);
  const manifest = existsSync(manifestFile)
    ? parseImportManifest(readFileSync(manifestFile, 'utf8'))
    : undefined;
  const shown = (file: string) => path.relative(process.cwd(), file) || file;
  console.log('');
  for (const line of summarizeImport(manifest, prepared, {
    curated: shown(path.join(result.bucketDir, ...PREFIXES.recentlyPlayed.split('/'))),
    manifest: shown(manifestFile),
  })) {
    console.log(line);
  }
  if (result.status === 'FAILED' && !manifest)
    console.log(`  error: ${result.error ?? 'unknown'}: ${result.cause ?? ''}`);
  return result.status === 'SUCCEEDED' ? 0 : 1;
}

export const command: Command = { usage: USAGE, main };

// Run as the entry point (npm run ...); a test imports `command` and runs it in the test's process (test/helpers/run-in-process.ts).
if (require.main === module) runCommand(command);
