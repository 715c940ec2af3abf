// The code the Glue jobs run, uploaded from glue-streaming/ into the artifacts bucket under keys that
// contain a hash of the content: a changed script is a new object (and a job update), an unchanged
// one is left alone. The shared package ships as a deterministic zip for `--extra-py-files`.
import fs from 'node:fs';
import path from 'node:path';
import { Construct } from 'constructs';
import { App, AssetType, Fn, TerraformAsset, TerraformVariable } from 'cdktf';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { zipPackage } from '../deterministic-zip';
import type { DeploymentContext } from './context';
import type { SecureBucket } from './secure-bucket';

export const ENTRY_SCRIPTS = {
  bronze: 'bronze_streaming.py',
  silver: 'silver_batch.py',
  gold: 'gold_batch.py',
  refine: 'refine_streaming.py',
} as const;
export const SHARED_PACKAGE = 'streamsoft_jobs';

export interface GlueArtifactsProps {
  readonly context: DeploymentContext;
  readonly kmsKeyArn: string;
  readonly bucket: SecureBucket;
  /** The glue-streaming/ folder: entry scripts and the shared package. */
  readonly sourceDir: string;
  /** Wheels for `--additional-python-modules` (Glue workers have no route to PyPI); may be empty. */
  readonly wheelFiles: string[];
  /** The aws-msk-iam-auth jar: an s3:// URI, a local jar to upload, or undefined for a Terraform variable. */
  readonly mskIamAuthJar?: string;
  readonly needsMskJar: boolean;
}

export class GlueArtifacts extends Construct {
  /** s3:// URI of each entry script. */
  readonly scripts: Record<keyof typeof ENTRY_SCRIPTS, string>;
  readonly sharedPackageUri: string;
  readonly wheelUris: string[];
  /** s3:// URI and object ARN of the MSK IAM jar, when the transport needs it. */
  readonly mskIamAuthJarUri?: string;
  readonly mskIamAuthJarArn?: string;
  /** ARN pattern covering every uploaded object. */
  readonly objectsArn: string;

  private readonly props: GlueArtifactsProps;

  constructor(scope: Construct, id: string, props: GlueArtifactsProps) {
    super(scope, id);
    this.props = props;
    const scripts = {} as Record<keyof typeof ENTRY_SCRIPTS, string>;
    for (const [job, file] of Object.entries(ENTRY_SCRIPTS) as [keyof typeof ENTRY_SCRIPTS, string][]) {
      scripts[job] = this.upload(`script-${job}`, path.join(props.sourceDir, file), 'glue');
    }
    this.scripts = scripts;
    this.sharedPackageUri = this.upload('shared-package', this.stagePackageZip(), 'glue');
    this.wheelUris = props.wheelFiles.map((wheel, i) => this.upload(`wheel-${i}`, wheel, 'glue/wheels'));
    this.objectsArn = `${props.bucket.bucketArn}/glue/*`;

    if (props.needsMskJar) {
      const jar = props.mskIamAuthJar;
      let uri: string;
      if (jar === undefined) {
        const variable = new TerraformVariable(this, 'msk_iam_auth_jar_s3_uri', {
          type: 'string',
          description:
            'S3 URI of the aws-msk-iam-auth jar the bronze job loads with --extra-jars (or synth with --msk-iam-auth-jar)',
          validation: [
            {
              condition: '${can(regex("^s3://[^/]+/.+\\\\.jar$", var.msk_iam_auth_jar_s3_uri))}',
              errorMessage: 'msk_iam_auth_jar_s3_uri must be an s3:// URI of a .jar',
            },
          ],
        });
        variable.overrideLogicalId('msk_iam_auth_jar_s3_uri');
        uri = variable.stringValue;
      } else if (jar.startsWith('s3://')) {
        uri = jar;
      } else {
        uri = this.upload('msk-iam-auth-jar', jar, 'jars');
      }
      this.mskIamAuthJarUri = uri;
      this.mskIamAuthJarArn = `arn:${props.context.partition}:s3:::${Fn.trimprefix(uri, 's3://')}`;
    }
  }

  private upload(id: string, file: string, prefix: string): string {
    if (!fs.existsSync(file)) throw new Error(`Glue job file not found: ${file}`);
    const asset = new TerraformAsset(this, `${id}-asset`, { path: file, type: AssetType.FILE });
    const key = `${prefix}/${asset.assetHash}/${path.basename(file)}`;
    new S3Object(this, id, {
      bucket: this.props.bucket.bucketName,
      key,
      source: asset.path,
      sourceHash: asset.assetHash,
      serverSideEncryption: 'aws:kms',
      kmsKeyId: this.props.kmsKeyArn,
      dependsOn: [this.props.bucket.bucket],
    });
    return `s3://${this.props.bucket.bucketName}/${key}`;
  }

  /** Writes the package zip next to the synth output, where TerraformAsset picks it up. */
  private stagePackageZip(): string {
    const packageDir = path.join(this.props.sourceDir, SHARED_PACKAGE);
    if (!fs.existsSync(packageDir)) throw new Error(`Glue shared package not found: ${packageDir}`);
    const staging = path.join(App.of(this).outdir, '.staging');
    fs.mkdirSync(staging, { recursive: true });
    const zip = path.join(staging, `${SHARED_PACKAGE}.zip`);
    fs.writeFileSync(zip, zipPackage(packageDir));
    return zip;
  }
}
