// An S3 bucket secured by default: KMS encryption, versioning, all public access blocked, ACLs off,
// a TLS-only bucket policy and a lifecycle that cleans old versions and failed uploads.
import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { policyDocument } from '../iam';
import type { DeploymentContext } from './context';

export interface SecureBucketProps {
  readonly context: DeploymentContext;
  /** What the bucket holds, part of its name: `lake`, `artifacts`, `athena-results`. */
  readonly purpose: string;
  readonly kmsKeyArn: string;
  /** Days an overwritten or deleted object version is kept. */
  readonly noncurrentVersionDays: number;
  /** Days after which current objects expire (query results); unset keeps them. */
  readonly expireAfterDays?: number;
}

export class SecureBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  /** Depend on this before writing objects, so they land under the final policy and encryption. */
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const ctx = props.context;
    const bucket = new S3Bucket(this, 'bucket', {
      bucketPrefix: `${ctx.namePrefix}-${props.purpose}-`,
      forceDestroy: ctx.allowDestroy,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, 'versioning', {
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn },
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketPolicy(this, 'tls-only', {
      bucket: bucket.id,
      policy: policyDocument([
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principal: '*',
          actions: ['s3:*'],
          resources: [bucket.arn, `${bucket.arn}/*`],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    });
    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: 'clean-up-old-versions-and-uploads',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays }],
      },
    ];
    if (props.expireAfterDays !== undefined) {
      rules.push({
        id: 'expire-current-objects',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        expiration: [{ days: props.expireAfterDays }],
      });
    }
    new S3BucketLifecycleConfiguration(this, 'lifecycle', { bucket: bucket.id, rule: rules });
    this.bucket = bucket;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
  }
}
