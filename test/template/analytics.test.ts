import { RECENTLY_PLAYED } from '../../functions/datasets/recently-played';
import { TOP_TRACKS } from '../../functions/datasets/top-tracks';
import type { DatasetSpec } from '../../functions/datasets/columns';
import { PREFIXES } from '../../functions/commons/domain/keys';
import { packageService, render, type PackagedService } from '../helpers/template';

interface GlueColumn {
  Name: string;
  Type: string;
}

describe('Athena table over the curated CSVs (resources/analytics.yml)', () => {
  let packaged: PackagedService;
  beforeAll(async () => {
    packaged = await packageService();
  }, 240_000);

  const table = (name = 'TopTracksTable') =>
    packaged.template.Resources[name]?.Properties?.TableInput as {
      Parameters: Record<string, unknown>;
      PartitionKeys: GlueColumn[];
      StorageDescriptor: {
        Location: unknown;
        Columns: GlueColumn[];
        SerdeInfo: { SerializationLibrary: string };
      };
    };

  const TABLES: [string, DatasetSpec, string][] = [
    ['TopTracksTable', TOP_TRACKS, PREFIXES.topTracks],
    ['RecentlyPlayedTable', RECENTLY_PLAYED, PREFIXES.recentlyPlayed],
  ];

  it.each(TABLES)(
    '%s has exactly the CSV header as columns, in order, with the documented types',
    (name, dataset) => {
      const { StorageDescriptor, PartitionKeys } = table(name);
      const asTable = [...StorageDescriptor.Columns, ...PartitionKeys].map((column) => [
        column.Name,
        column.Type,
      ]);
      expect(asTable).toEqual(dataset.columns.map((column) => [column.name, column.type]));
      expect(PartitionKeys.map((key) => key.Name)).toEqual([dataset.partitionKey]);
    },
  );

  it.each(TABLES)(
    '%s reads its prefix as CSV with a header, partitioned by projection',
    (name, dataset, prefix) => {
      const { Parameters, StorageDescriptor } = table(name);
      const key = dataset.partitionKey;
      expect(render(StorageDescriptor.Location)).toBe(`s3://\${DataBucket}/${prefix}`);
      expect(StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        'org.apache.hadoop.hive.serde2.OpenCSVSerde',
      );
      expect(Parameters).toMatchObject({
        'skip.header.line.count': '1',
        'projection.enabled': 'true',
        [`projection.${key}.type`]: 'date',
        [`projection.${key}.format`]: 'yyyy-MM-dd',
      });
      expect(render(Parameters['storage.location.template'])).toBe(
        `s3://\${DataBucket}/${prefix}${key}=\${${key}}/`,
      );
    },
  );

  it('gives Athena a workgroup whose results land in an expiring prefix of the bucket', () => {
    const workgroup = packaged.template.Resources.AthenaWorkGroup?.Properties?.WorkGroupConfiguration as {
      EnforceWorkGroupConfiguration: boolean;
      ResultConfiguration: { OutputLocation: unknown };
    };
    expect(workgroup.EnforceWorkGroupConfiguration).toBe(true);
    expect(render(workgroup.ResultConfiguration.OutputLocation)).toBe('s3://${DataBucket}/athena-results/');
    const rules = (
      packaged.template.Resources.DataBucket?.Properties?.LifecycleConfiguration as { Rules: unknown[] }
    ).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: 'athena-results/', ExpirationInDays: 7, Status: 'Enabled' }),
      ]),
    );
  });

  it('offers a read-only analyst policy: curated data to read, query results to write, nothing else', () => {
    const statements = (
      packaged.template.Resources.AnalystPolicy?.Properties?.PolicyDocument as {
        Statement: { Action: string | string[]; Resource: unknown }[];
      }
    ).Statement;
    const s3 = statements
      .flatMap((statement) =>
        (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).map((action) => [
          action,
          render(statement.Resource),
        ]),
      )
      .filter(([action]) => action?.startsWith('s3:'))
      .map((pair) => pair.join(' '))
      .sort();
    expect(s3).toEqual([
      's3:AbortMultipartUpload ${DataBucket.Arn}/athena-results/*',
      's3:GetBucketLocation ${DataBucket.Arn}',
      's3:GetObject ${DataBucket.Arn}/athena-results/*',
      's3:GetObject ${DataBucket.Arn}/curated/*',
      's3:ListBucket ${DataBucket.Arn}',
      's3:PutObject ${DataBucket.Arn}/athena-results/*',
    ]);
  });
});
