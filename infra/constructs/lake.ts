// The Delta lake on S3 and its catalog: one bucket (tables under lake/<layer>/<table>, streaming
// checkpoints under checkpoints/<job>), Glue databases bronze/silver/gold and every Delta table
// registered so Athena reads it straight from its transaction log. The layers and tables come from the
// one lake-table contract (lake/tables.ts).
import { Construct } from 'constructs';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { GlueDataCatalogEncryptionSettings } from '@cdktf/provider-aws/lib/glue-data-catalog-encryption-settings';
import { arn, type DeploymentContext } from './context';
import { LAKE_LAYERS, tablesOf } from '../../lake/tables';
import { SecureBucket } from './secure-bucket';

export interface LakeProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
}

export class Lake extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  /** `s3://<bucket>/lake`: the jobs' `--lake-path`; tables live at `<lakePath>/<layer>/<table>`. */
  readonly lakePath: string;
  /** `s3://<bucket>/checkpoints`: one folder per streaming query. */
  readonly checkpointsPath: string;
  /** Glue database per layer; the names are the layers, as in the local world (`bronze.trades`). */
  readonly databaseNames: Record<string, string>;
  /** ARNs of the catalog, the layer databases and their tables, for readers (Athena, Metabase). */
  readonly catalogArns: string[];

  constructor(scope: Construct, id: string, props: LakeProps) {
    super(scope, id);
    const ctx = props.context;
    const bucket = new SecureBucket(this, 'bucket', {
      context: ctx,
      purpose: 'lake',
      kmsKeyArn: props.kmsKeyArn,
      noncurrentVersionDays: 30,
    });
    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.bucketArn;
    this.lakePath = `s3://${bucket.bucketName}/lake`;
    this.checkpointsPath = `s3://${bucket.bucketName}/checkpoints`;

    // Account-wide setting: the catalog (and connection passwords) encrypted with the platform key.
    new GlueDataCatalogEncryptionSettings(this, 'catalog-encryption', {
      dataCatalogEncryptionSettings: {
        encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: props.kmsKeyArn },
        connectionPasswordEncryption: {
          returnConnectionPasswordEncrypted: true,
          awsKmsKeyId: props.kmsKeyArn,
        },
      },
    });

    const names = {} as Record<string, string>;
    for (const layer of LAKE_LAYERS) {
      const database = new GlueCatalogDatabase(this, `${layer}-db`, {
        name: layer,
        description: `StreamSoft ${layer} layer (${ctx.namePrefix})`,
        locationUri: `${this.lakePath}/${layer}/`,
      });
      names[layer] = database.name;
      for (const { table, description } of tablesOf(layer)) {
        new GlueCatalogTable(this, `${layer}-${table}`, {
          databaseName: database.name,
          name: table,
          tableType: 'EXTERNAL_TABLE',
          description: `${description} (Delta; Athena reads the schema from the Delta log)`,
          parameters: { table_type: 'DELTA', EXTERNAL: 'TRUE', 'spark.sql.sources.provider': 'delta' },
          storageDescriptor: { location: this.tableLocation(layer, table) },
        });
      }
    }
    this.databaseNames = names;
    this.catalogArns = [
      arn(ctx, 'glue', 'catalog'),
      ...LAKE_LAYERS.map((layer) => arn(ctx, 'glue', `database/${layer}`)),
      ...LAKE_LAYERS.map((layer) => arn(ctx, 'glue', `table/${layer}/*`)),
    ];
  }

  tableLocation(layer: string, table: string): string {
    return `${this.lakePath}/${layer}/${table}`;
  }

  /** ARN of the objects under a key prefix of the lake bucket, e.g. `lake/bronze`. */
  objectsArn(prefix: string): string {
    return `${this.bucketArn}/${prefix}/*`;
  }
}
