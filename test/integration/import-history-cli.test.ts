import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { findExportFiles } from '../../scripts/import/export-files';
import { prepareFile } from '../../scripts/import/prepare';
import { LOCAL_S3_CREDENTIALS, localS3Client, startLocalS3 } from '../../scripts/local/local-s3';
import { startAwsStandIn } from '../aws-stand-in/server';
import { everyFile } from '../helpers/bucket-snapshot';
import { runInProcess } from '../helpers/run-in-process';
import { zipOf } from '../helpers/zip';
import { exportFileText, sampleExport, SAMPLE_PRIVATE_VALUES } from '../spotify-stand-in/sample-export';
import { standInListening } from '../spotify-stand-in/server';

const FOLDER = 'Spotify Extended Streaming History';

/** The zip Spotify e-mails: a folder with the JSON files and a PDF describing them. */
function exportZip(): Buffer {
  const now = new Date();
  const files = sampleExport({ listening: standInListening(now), exportedAt: now, historyDays: 10 });
  return zipOf([
    ...files.map((file) => ({ name: `${FOLDER}/${file.name}`, data: Buffer.from(exportFileText(file)) })),
    { name: `${FOLDER}/ReadMeFirst_ExtendedStreamingHistory.pdf`, data: Buffer.from('%PDF-1.4 stand-in') },
  ]);
}

/** `npm run import:history` as a user runs it: its output and exit code (in this process: see runInProcess). */
describe('npm run import:history', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-import-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("imports Spotify's zip locally, showing progress and a summary, and no privacy field leaves the machine", async () => {
    const zip = path.join(dir, 'my_spotify_data.zip');
    await writeFile(zip, exportZip());
    const dataDir = path.join(dir, 'data');
    const result = await runInProcess('import-history', [zip], { LOCAL_DATA_DIR: dataDir });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^Checking 3 files \([\d.]+ MB\) of .*my_spotify_data\.zip$/m);
    expect(result.stdout).toMatch(
      /✔ Streaming_History_Audio_2026_1\.json: \d+ plays of \d+ elements \(1 malformed/,
    );
    expect(result.stdout).toContain('↑ uploaded 3/3 Streaming_History_Video_2026.json');
    expect(result.stdout).toMatch(/▶ imported 3\/3 files, \d+ plays so far/);
    expect(result.stdout).toMatch(/^Imported 3 files:$/m);
    expect(result.stdout).toMatch(/plays: \d+ added, 0 merged with plays the API reported, 0 already there/);
    expect(result.stdout).toMatch(
      /skipped: 1 malformed elements, \d+ podcast episodes.*private-session plays/,
    );
    expect(result.stdout).toContain('inbox: the uploaded files were deleted');
    const everything = `${result.stdout}${JSON.stringify(await everyFile(path.join(dataDir, 'spotify-etl-local')))}`;
    for (const value of Object.values(SAMPLE_PRIVATE_VALUES)) expect(everything).not.toContain(value);
    expect(everything).toContain('curated/recently_played/played_date=');
  });

  it('refuses a zip with a path outside its folder, before anything is uploaded (exit 1)', async () => {
    const zip = path.join(dir, 'evil.zip');
    await writeFile(
      zip,
      zipOf([{ name: '../../Streaming_History_Audio_2020.json', data: Buffer.from('[]') }]),
    );
    const dataDir = path.join(dir, 'evil-data');
    const result = await runInProcess('import-history', [zip], { LOCAL_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /evil\.zip cannot be read as Spotify's export: invalid relative path.*Nothing was imported\./,
    );
    expect(await everyFile(dataDir)).toEqual({});
  });

  it('stops a decompression bomb at the size bound, naming the entry', async () => {
    const bomb = path.join(dir, 'bomb.zip');
    // 40 MiB of spaces deflate to a few KB; the header claims 2 KB.
    await writeFile(
      bomb,
      zipOf([
        {
          name: `${FOLDER}/Streaming_History_Audio_2020.json`,
          data: Buffer.alloc(40 * 1024 * 1024, 0x20),
          declaredSize: 2048,
        },
      ]),
    );
    const found = await findExportFiles([bomb]);
    try {
      const [file] = found.files;
      if (!file) throw new Error('the bomb was not found');
      await expect(prepareFile(file, { includeIncognito: false })).rejects.toThrow(
        /bomb\.zip:Spotify Extended Streaming History\/Streaming_History_Audio_2020\.json (is 32\.\d MiB, more than the 32\.0 MiB|cannot be unpacked)/,
      );
    } finally {
      found.close();
    }
    const honest = path.join(dir, 'big.zip');
    await writeFile(
      honest,
      zipOf([{ name: 'Streaming_History_Audio_2020.json', data: Buffer.alloc(33 * 1024 * 1024, 0x20) }]),
    );
    await expect(findExportFiles([honest])).rejects.toThrow(/is 33\.0 MiB, more than the 32\.0 MiB/);
  });

  it('finds the export in a folder, refuses other JSON files and the account-data export, names duplicates', async () => {
    const folder = path.join(dir, 'unpacked', FOLDER);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'Streaming_History_Audio_2019.json'), '[]');
    await writeFile(path.join(folder, 'ReadMeFirst.pdf'), '%PDF');
    const found = await findExportFiles([path.join(dir, 'unpacked')]);
    expect(found.files.map((file) => file.name)).toEqual(['Streaming_History_Audio_2019.json']);
    await expect(
      findExportFiles([path.join(dir, 'unpacked'), path.join(folder, 'Streaming_History_Audio_2019.json')]),
    ).rejects.toThrow(/Streaming_History_Audio_2019\.json was given twice/);
    const other = path.join(dir, 'plays.json');
    await writeFile(other, '[]');
    await expect(findExportFiles([other])).rejects.toThrow(
      /plays\.json is not named like a file of the streaming-history export/,
    );
    const account = path.join(dir, 'account');
    await mkdir(account);
    await writeFile(path.join(account, 'StreamingHistory_music_0.json'), '[]');
    await expect(findExportFiles([account])).rejects.toThrow(
      /holds no file of the streaming-history export.*"Account data"/,
    );
    await expect(findExportFiles([path.join(dir, 'missing.zip')])).rejects.toThrow(
      /missing\.zip does not exist/,
    );
  });
});

describe('npm run import:history --stage', () => {
  it("uploads the checked, stripped files to the stage's inbox and starts its state machine with the folder as input", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-deployed-'));
    const bucket = 'spotify-etl-pipeline-dev-databucket-1';
    const s3 = await startLocalS3(path.join(dir, 's3'), [bucket]);
    const aws = await startAwsStandIn({
      stackName: 'spotify-etl-pipeline-dev',
      outputs: {
        DataBucketName: bucket,
        StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:pipeline-dev',
      },
      executionStatus: 'SUCCEEDED',
    });
    try {
      const zip = path.join(dir, 'my_spotify_data.zip');
      await writeFile(zip, exportZip());
      const result = await runInProcess('import-history', [zip, '--stage', 'dev'], {
        AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
        AWS_PROFILE: '',
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url,
        AWS_ENDPOINT_URL_SFN: aws.url,
        S3_ENDPOINT: s3.endpoint,
        IMPORT_POLL_SECONDS: '0.05',
      });
      expect([result.code, result.stderr]).toEqual([0, '']);
      const started = aws.calls.find((call) => call.action === 'StartExecution');
      const name = String(started?.params.name);
      expect(name).toMatch(/^history-\d{8}T\d{6}Z-[a-z0-9]{4}$/);
      expect(JSON.parse(String(started?.params.input))).toEqual({
        import: { prefix: `inbox/${name}/`, includeIncognito: false },
      });
      const client = localS3Client(s3.endpoint);
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `inbox/${name}/` }),
      );
      const uploaded = (listed.Contents ?? []).map((object) => object.Key);
      expect(uploaded).toEqual([
        `inbox/${name}/Streaming_History_Audio_2026_0.json`,
        `inbox/${name}/Streaming_History_Audio_2026_1.json`,
        `inbox/${name}/Streaming_History_Video_2026.json`,
      ]);
      const body = await client
        .send(new GetObjectCommand({ Bucket: bucket, Key: uploaded[1] }))
        .then((object) => object.Body?.transformToString());
      client.destroy();
      expect(body).toContain('spotify_track_uri');
      for (const value of Object.values(SAMPLE_PRIVATE_VALUES)) expect(body).not.toContain(value);
      expect(result.stdout).toMatch(/… succeeded for \d+ s: 0\/3 files checked and archived/);
    } finally {
      await aws.close();
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
