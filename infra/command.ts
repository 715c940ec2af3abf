// `streamsoft infra synth`: writes the Terraform JSON of the AWS deployment, offline, for the chosen
// transport; `terraform init && terraform apply` in the printed folder deploys it (infra/README.md).
import path from 'node:path';
import type { Command } from 'commander';
import { envOption } from '../cli/options';
import { resolveInfraConfig, type InfraConfig } from './config';
import { synthInfra, type SynthResult } from './main';

export function registerInfraCommand(program: Command): void {
  const infra = program.command('infra').description('AWS infrastructure as code (cdktf)');
  infra
    .command('synth')
    .description('Write the Terraform JSON of the AWS deployment (offline; no AWS call, no cdktf CLI)')
    .addOption(envOption('--transport <kind>', 'kinesis, msk or both', 'kinesis'))
    .addOption(envOption('--env <name>', 'environment name, part of every resource name', 'dev'))
    .addOption(envOption('--region <region>', 'AWS region', 'eu-west-1'))
    .addOption(envOption('--out <dir>', 'output folder', 'cdktf.out'))
    .addOption(
      envOption('--certificate-arn <arn>', 'ACM certificate for Metabase HTTPS (else asked at apply)'),
    )
    .addOption(
      envOption('--msk-iam-auth-jar <s3-uri-or-path>', 'aws-msk-iam-auth jar for the MSK bronze job'),
    )
    .addOption(envOption('--alarm-email <address>', 'email subscribed to the alarm topic'))
    .addOption(
      envOption(
        '--glue-wheels-dir <dir>',
        "wheels of the jobs' Python packages (default .tools/glue-wheels)",
      ),
    )
    .addOption(
      envOption(
        '--pip-install-modules',
        'upload no wheels: the jobs pip-install their packages from PyPI at start (needs a route to PyPI)',
      ),
    )
    .addOption(envOption('--metabase-admin-email <address>', 'email of the first Metabase admin'))
    .addOption(
      envOption('--metabase-allowed-cidrs <list>', 'comma-separated CIDRs allowed to reach Metabase'),
    )
    .addOption(envOption('--az-count <n>', 'availability zones (2 or 3)'))
    .addOption(envOption('--kinesis-retention-hours <n>', 'Kinesis retention, 24 to 8760 hours'))
    .addOption(envOption('--msk-broker-instance-type <type>', 'MSK broker type, e.g. kafka.m7g.large'))
    .addOption(envOption('--streaming-workers <n>', 'workers of each bronze streaming job'))
    .addOption(envOption('--batch-workers <n>', 'workers of the silver and gold jobs'))
    .addOption(envOption('--trigger-seconds <n>', 'bronze micro-batch interval'))
    .addOption(envOption('--silver-schedule <cron>', 'Glue cron of the silver/gold workflow'))
    .addOption(envOption('--compact-schedule <cron>', 'Glue cron of the bronze compaction job (daily)'))
    .addOption(envOption('--allow-destroy', 'dev only: no deletion protection, buckets emptied on destroy'))
    .addOption(envOption('--json', 'print the result as JSON'))
    .action((raw: Record<string, unknown>) => {
      const config = resolveInfraConfig({
        transport: raw.transport,
        env: raw.env,
        region: raw.region,
        certificateArn: raw.certificateArn,
        mskIamAuthJar: raw.mskIamAuthJar,
        alarmEmail: raw.alarmEmail,
        glueWheelsDir: raw.glueWheelsDir,
        pipInstallModules: raw.pipInstallModules === true || raw.pipInstallModules === 'true',
        metabaseAdminEmail: raw.metabaseAdminEmail,
        metabaseAllowedCidrs:
          typeof raw.metabaseAllowedCidrs === 'string'
            ? raw.metabaseAllowedCidrs.split(',').map((c) => c.trim())
            : undefined,
        azCount: raw.azCount,
        kinesisRetentionHours: raw.kinesisRetentionHours,
        mskBrokerInstanceType: raw.mskBrokerInstanceType,
        streamingWorkers: raw.streamingWorkers,
        batchWorkers: raw.batchWorkers,
        triggerSeconds: raw.triggerSeconds,
        silverSchedule: raw.silverSchedule,
        compactSchedule: raw.compactSchedule,
        allowDestroy: raw.allowDestroy === true || raw.allowDestroy === 'true',
      });
      const result = synthInfra(config, String(raw.out));
      printResult(result, config, raw.json === true || raw.json === 'true');
    });
}

function printResult(result: SynthResult, config: InfraConfig, json: boolean): void {
  if (config.pipInstallModules) {
    process.stderr.write(
      'note: --pip-install-modules: the jobs pip-install their Python packages from PyPI at start, which needs ' +
        'a route to PyPI from the data subnets (not the default) — see infra/README.md "Python packages for the Glue jobs"\n',
    );
  }
  if (json) {
    process.stdout.write(
      JSON.stringify({
        stack: result.stackName,
        transport: config.transport,
        directory: result.stackDir,
        glueWheels: result.wheelFiles.map((f) => path.basename(f)),
      }) + '\n',
    );
    return;
  }
  const relative = path.relative(process.cwd(), result.stackDir);
  const shown = relative.startsWith('..') ? result.stackDir : relative || '.';
  process.stdout.write(
    `wrote Terraform JSON for stack ${result.stackName} (transport ${config.transport}) to ${shown}/cdk.tf.json\n` +
      `next: cd ${shown} && terraform init && terraform apply\n`,
  );
}
