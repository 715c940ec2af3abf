// IAM policy documents as plain data: every policy in the stack is built here, so the least-privilege
// rules (no wildcard action on a wildcard resource) can be read, and tested, in one shape.

export type Principal = '*' | { Service?: string | string[]; AWS?: string | string[] };

export interface PolicyStatement {
  sid?: string;
  effect?: 'Allow' | 'Deny';
  principal?: Principal;
  actions: string[];
  resources: string[];
  /** IAM condition block, e.g. `{ StringEquals: { 'aws:SourceAccount': accountId } }`. */
  conditions?: Record<string, Record<string, string | string[]>>;
}

/** A policy document as the JSON string Terraform expects; tokens inside strings resolve at synth. */
export function policyDocument(statements: PolicyStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid === undefined ? {} : { Sid: s.sid }),
      Effect: s.effect ?? 'Allow',
      ...(s.principal === undefined ? {} : { Principal: s.principal }),
      Action: s.actions,
      Resource: s.resources,
      ...(s.conditions === undefined ? {} : { Condition: s.conditions }),
    })),
  });
}

/** Trust policy letting one AWS service assume a role, confined to this account. */
export function assumeRolePolicy(service: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  });
}

/** The actions a principal needs to use (not manage) a customer-managed KMS key. */
export const KMS_USE_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
