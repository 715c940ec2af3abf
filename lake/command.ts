// `streamsoft query "<SQL>"`: SQL over the local lake's Delta tables (`bronze.trades`, `gold.ohlcv_1m`, …).
import type { Command } from 'commander';
import { z } from 'zod';
import { envOption } from '../cli/options';
import { parseConfig } from '../core/validation';
import { DEFAULT_DATA_DIR, dataDirLayout } from '../core/paths';
import { logger } from '../core/logger';
import { LocalLake } from './local-lake';
import { renderTable, rowObjects } from './render';

const queryConfigSchema = z.object({
  sql: z.string().trim().min(1, 'must not be empty'),
  dataDir: z.string().min(1),
  json: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .default(false)
    .transform((value) => value === true || value === 'true' || value === '1'),
});

export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description('Run SQL over the local lake tables (views "<layer>"."<table>", e.g. gold.ohlcv_1m)')
    .argument('<sql>', 'the SQL to run (DuckDB dialect)')
    .addOption(envOption('--data-dir <dir>', 'local state folder holding lake/', DEFAULT_DATA_DIR))
    .addOption(envOption('--json', 'print rows as a JSON array of objects'))
    .action(async (sql: string, raw: Record<string, unknown>) => {
      const config = parseConfig(queryConfigSchema, { ...raw, sql });
      const lake = await LocalLake.open({
        lakeDir: dataDirLayout(config.dataDir).lake,
        logger: logger('query'),
      });
      try {
        const result = await lake.query(config.sql);
        process.stdout.write(
          config.json ? JSON.stringify(rowObjects(result), null, 2) + '\n' : renderTable(result),
        );
      } finally {
        lake.close();
      }
    });
}
