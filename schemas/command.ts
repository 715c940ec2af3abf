// `streamsoft schemas register|check|list`: the Trade schemas in the registry subject `<stream>-value`.
// Exit codes: 0 done / compatible, 1 schema incompatible or rejected, 2 bad flag or registry unreachable.
import { readFileSync } from 'node:fs';
import { Type, type Schema } from 'avsc';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { envOption } from '../cli/options';
import { parseConfig } from '../core/validation';
import { ConfigError, EnvironmentError, SchemaError } from '../core/errors';
import { logger } from '../core/logger';
import { RegistryClient } from '../connectors/serde/registry-client';
import { DEFAULT_REGISTRY_URL } from '../core/local-endpoints';
import { COMPATIBILITY_LEVELS, DEFAULT_COMPATIBILITY, type CompatibilityLevel } from './compatibility-levels';
import {
  checkSchema,
  listSubjects,
  registerSchemas,
  tradeSchemasUpTo,
  type SchemaToRegister,
} from './registration';
import { DEFAULT_STREAM_NAME, subjectFor } from './trade';
import { TRADE_SCHEMA_VERSIONS, isTradeSchemaVersion, tradeSchema } from './trade-schemas';

const registryConfig = z.object({
  registryUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  stream: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1-128 letters, digits, ".", "_" or "-"'),
  subject: z.string().min(1, 'must not be empty').optional(),
  compatibility: z.preprocess(
    (value) => (typeof value === 'string' ? value.toUpperCase() : value),
    z.enum(COMPATIBILITY_LEVELS, { error: `must be one of ${COMPATIBILITY_LEVELS.join(', ')}` }),
  ),
  json: z.boolean().default(false),
});

type RegistryConfig = z.infer<typeof registryConfig>;

function withRegistryOptions(command: Command): Command {
  return command
    .addOption(
      envOption('--registry-url <url>', 'Confluent-compatible registry API root', DEFAULT_REGISTRY_URL),
    )
    .addOption(
      envOption('--stream <name>', 'stream or topic; the subject is <stream>-value', DEFAULT_STREAM_NAME),
    )
    .addOption(envOption('--subject <name>', 'registry subject (overrides --stream)'))
    .addOption(
      envOption(
        '--compatibility <level>',
        `compatibility level: ${COMPATIBILITY_LEVELS.join(', ')}`,
        DEFAULT_COMPATIBILITY,
      ),
    )
    .option('--json', 'machine-readable output on stdout', false);
}

function configOf(command: Command): RegistryConfig & { subjectName: string; levelGiven: boolean } {
  const config = parseConfig(registryConfig, command.opts());
  const source = command.getOptionValueSource('compatibility');
  return {
    ...config,
    subjectName: config.subject ?? subjectFor(config.stream),
    levelGiven: source !== undefined && source !== 'default',
  };
}

function clientFor(config: RegistryConfig): RegistryClient {
  return new RegistryClient({ url: config.registryUrl, logger: logger('schemas') });
}

/** An unreachable registry is an environment problem (exit 2), not a verdict on the schema. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof SchemaError && error.code === 'REGISTRY_UNAVAILABLE') {
      throw new EnvironmentError(
        `${error.message}; start it with \`streamsoft services start\` or pass --registry-url`,
        { cause: error },
      );
    }
    throw error;
  }
}

function readSchemaFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read schema file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  try {
    const schema = JSON.parse(text) as unknown;
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
      throw new Error('not a JSON object');
    Type.forSchema(schema as Schema);
    return schema as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`schema file ${path} is not an Avro schema: ${(error as Error).message}`);
  }
}

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

function schemasToRegister(options: { version?: string; only?: boolean; file?: string }): SchemaToRegister[] {
  if (options.file !== undefined) return [{ label: options.file, schema: readSchemaFile(options.file) }];
  const last = options.version === undefined ? TRADE_SCHEMA_VERSIONS.at(-1) : Number(options.version);
  if (last === undefined || !isTradeSchemaVersion(last)) {
    throw new ConfigError(
      `--version: must be one of ${TRADE_SCHEMA_VERSIONS.join(', ')} (got ${JSON.stringify(options.version)})`,
    );
  }
  return options.only === true ? [{ label: `v${last}`, schema: tradeSchema(last) }] : tradeSchemasUpTo(last);
}

export function registerSchemasCommand(program: Command): void {
  const schemas = program
    .command('schemas')
    .description('register, check and list the Trade Avro schemas in the schema registry')
    .addHelpText(
      'after',
      '\nExit codes: 0 done or compatible, 1 incompatible or rejected schema, 2 bad flag or unreachable registry.',
    );

  withRegistryOptions(
    schemas
      .command('register')
      .description('set the subject compatibility level and register Trade v1..N in order')
      .addOption(
        new Option(
          '--version <n>',
          `register up to this Trade version (${TRADE_SCHEMA_VERSIONS.join(', ')})`,
        ),
      )
      .option('--only', 'register only --version, not the versions before it', false)
      .option('--file <path>', 'register this .avsc file instead of the bundled Trade versions'),
  ).action(async (_options: unknown, command: Command) => {
    const config = configOf(command);
    const selection = schemasToRegister(command.opts());
    await run(async () => {
      const registered = await registerSchemas(
        clientFor(config),
        config.subjectName,
        selection,
        config.compatibility,
      );
      if (config.json) {
        write(
          JSON.stringify({ subject: config.subjectName, compatibility: config.compatibility, registered }),
        );
        return;
      }
      for (const entry of registered) {
        if ('skipped' in entry)
          write(`${entry.subject} ${entry.label}: skipped, a newer version is registered`);
        else write(`${entry.subject} ${entry.label}: id ${entry.id} (subject version ${entry.version})`);
      }
    });
  });

  withRegistryOptions(
    schemas
      .command('check')
      .argument('<file>', 'Avro schema (.avsc) to check')
      .description('check a schema against the latest registered version of the subject'),
  ).action(async (file: string, _options: unknown, command: Command) => {
    const config = configOf(command);
    const candidate = readSchemaFile(file);
    await run(async () => {
      const requested: CompatibilityLevel | undefined = config.levelGiven ? config.compatibility : undefined;
      const result = await checkSchema(
        clientFor(config),
        config.subjectName,
        candidate,
        requested,
        config.compatibility,
      );
      if (config.json) {
        write(JSON.stringify({ file, ...result }));
        if (!result.compatible) process.exitCode = 1;
        return;
      }
      if (!result.compatible) {
        throw new SchemaError(
          'INCOMPATIBLE_SCHEMA',
          `${file} is incompatible with ${result.subject}: ${result.reason}`,
        );
      }
      const against =
        result.latestVersion === undefined
          ? 'no registered versions yet'
          : `latest version ${result.latestVersion}`;
      write(`${file} is compatible with ${result.subject} (${result.level}, ${against})`);
    });
  });

  withRegistryOptions(
    schemas
      .command('list')
      .description('list subjects with their versions, schema ids and compatibility level'),
  ).action(async (_options: unknown, command: Command) => {
    const config = configOf(command);
    const explicitSubject =
      command.getOptionValueSource('subject') === undefined ? undefined : config.subjectName;
    await run(async () => {
      const listings = await listSubjects(clientFor(config), explicitSubject);
      if (config.json) {
        write(JSON.stringify(listings));
        return;
      }
      if (listings.length === 0) write('no subjects registered');
      for (const listing of listings) {
        const versions = listing.versions.map(({ version, id }) => `v${version}=id ${id}`).join(', ');
        write(`${listing.subject} (${listing.compatibility ?? 'registry default'}): ${versions}`);
      }
    });
  });
}
