// `streamsoft dashboard` (the local dashboard over the local lake) and `streamsoft metabase provision` (the
// same dashboard spec pushed into a Metabase over Athena).
import type { Command } from 'commander';
import { z } from 'zod';
import { envOption } from '../cli/options';
import { listenPort, parseConfig } from '../core/validation';
import { logger } from '../core/logger';
import { DEFAULT_DASHBOARD_PORT } from '../core/local-endpoints';
import { DEFAULT_DATA_DIR } from '../core/paths';
import { loadDashboardSpec } from './dashboard-spec';
import { serveLocalDashboard } from './local-dashboard';
import { MetabaseClient } from './metabase-client';
import { readPasswordSecret } from './password-secret';
import { provisionDashboard } from './provisioner';

const jsonFlag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .default(false)
  .transform((value) => value === true || value === 'true' || value === '1');

const dashboardConfigSchema = z.object({ port: listenPort, dataDir: z.string().min(1) });

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('Serve the dashboard on 127.0.0.1 from the local lake (the spec Metabase shows in AWS)')
    .addOption(
      envOption('--port <n>', 'port to listen on (0: any free port)', String(DEFAULT_DASHBOARD_PORT)),
    )
    .addOption(envOption('--data-dir <dir>', 'local state folder holding lake/', DEFAULT_DATA_DIR))
    .action(async (raw: Record<string, unknown>) => {
      const config = parseConfig(dashboardConfigSchema, raw);
      const dashboard = await serveLocalDashboard({
        dataDir: config.dataDir,
        port: config.port,
        logger: logger('dashboard'),
      });
      process.stdout.write(`dashboard: ${dashboard.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.close();
    });
}

const provisionConfigSchema = z
  .object({
    url: z.url('must be a URL such as https://metabase.example.com'),
    user: z.string().min(1, 'is required'),
    password: z.string().min(1).optional(),
    passwordSecret: z.string().min(1).optional(),
    region: z.string({ error: 'is required (the AWS region of Athena)' }).min(1, 'is required'),
    databaseName: z.string().min(1),
    athenaWorkgroup: z.string().min(1),
    athenaS3StagingDir: z
      .string()
      .regex(/^s3:\/\//, 'must be an s3:// URI')
      .optional(),
    athenaCatalog: z.string().min(1),
    collectionId: z.coerce.number().int().positive().optional(),
    spec: z.string().min(1).optional(),
    json: jsonFlag,
  })
  .refine((c) => (c.password === undefined) !== (c.passwordSecret === undefined), {
    message: 'give exactly one of --password or --password-secret',
    path: ['password'],
  });

export function registerMetabaseCommand(program: Command): void {
  const metabase = program.command('metabase').description('Metabase in AWS: provision the dashboard');
  metabase
    .command('provision')
    .description(
      'Create or update the Athena connection, the cards and the dashboard in Metabase (idempotent)',
    )
    .addOption(envOption('--url <url>', 'Metabase base URL, e.g. https://metabase.example.com'))
    .addOption(envOption('--user <email>', 'Metabase admin user'))
    .addOption(envOption('--password <secret>', 'Metabase admin password (prefer --password-secret)'))
    .addOption(
      envOption('--password-secret <id>', 'Secrets Manager secret id/ARN holding the admin password'),
    )
    .addOption(envOption('--region <region>', 'AWS region of Athena and the secret'))
    .addOption(
      envOption('--database-name <name>', 'name of the Athena connection in Metabase', 'StreamSoft lake'),
    )
    .addOption(envOption('--athena-workgroup <name>', 'Athena workgroup', 'streamsoft'))
    .addOption(
      envOption(
        '--athena-s3-staging-dir <uri>',
        'Athena results location, if the workgroup does not enforce one',
      ),
    )
    .addOption(envOption('--athena-catalog <name>', 'Athena data catalog', 'AwsDataCatalog'))
    .addOption(
      envOption('--collection-id <n>', 'Metabase collection for the cards and dashboard (default: root)'),
    )
    .addOption(envOption('--spec <file>', 'dashboard spec file (default: metabase/dashboard.json)'))
    .addOption(envOption('--json', 'print the summary as JSON'))
    .action(async (raw: Record<string, unknown>) => {
      const config = parseConfig(provisionConfigSchema, raw);
      const password =
        config.password ?? (await readPasswordSecret(config.passwordSecret as string, config.region));
      const spec = config.spec === undefined ? loadDashboardSpec() : loadDashboardSpec(config.spec);
      const api = await MetabaseClient.login(config.url, { user: config.user, password });
      const summary = await provisionDashboard({
        api,
        spec,
        athena: {
          name: config.databaseName,
          region: config.region,
          workgroup: config.athenaWorkgroup,
          s3StagingDir: config.athenaS3StagingDir,
          catalog: config.athenaCatalog,
        },
        collectionId: config.collectionId,
        logger: logger('metabase'),
      });
      if (config.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      } else {
        process.stdout.write(
          `database ${summary.database.id} ${summary.database.action}; ` +
            `${summary.cards.filter((c) => c.action === 'created').length} cards created, ` +
            `${summary.cards.filter((c) => c.action === 'updated').length} updated; ` +
            `dashboard ${summary.dashboard.id} ${summary.dashboard.action} with ${summary.dashboard.dashcards} cards\n` +
            `${config.url.replace(/\/+$/, '')}/dashboard/${summary.dashboard.id}\n`,
        );
      }
    });
}
