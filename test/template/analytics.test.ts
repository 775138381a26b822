import { COLUMNS } from '../../functions/commons/domain/top-track-record';
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

  const table = () =>
    packaged.template.Resources.TopTracksTable?.Properties?.TableInput as {
      Parameters: Record<string, unknown>;
      PartitionKeys: GlueColumn[];
      StorageDescriptor: {
        Location: unknown;
        Columns: GlueColumn[];
        SerdeInfo: { SerializationLibrary: string };
      };
    };

  it('has exactly the CSV header as columns, in order, with the documented types', () => {
    const { StorageDescriptor, PartitionKeys } = table();
    const asTable = [...StorageDescriptor.Columns, ...PartitionKeys].map((column) => [
      column.Name,
      column.Type,
    ]);
    expect(asTable).toEqual(COLUMNS.map((column) => [column.name, column.type]));
    expect(PartitionKeys.map((key) => key.Name)).toEqual(['snapshot_date']);
  });

  it('reads the curated prefix as CSV with a header, partitioned by projection on snapshot_date', () => {
    const { Parameters, StorageDescriptor } = table();
    expect(render(StorageDescriptor.Location)).toBe(`s3://\${DataBucket}/${PREFIXES.curated}`);
    expect(StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
      'org.apache.hadoop.hive.serde2.OpenCSVSerde',
    );
    expect(Parameters).toMatchObject({
      'skip.header.line.count': '1',
      'projection.enabled': 'true',
      'projection.snapshot_date.type': 'date',
      'projection.snapshot_date.format': 'yyyy-MM-dd',
    });
    expect(render(Parameters['storage.location.template'])).toBe(
      `s3://\${DataBucket}/${PREFIXES.curated}snapshot_date=\${snapshot_date}/`,
    );
  });

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
