// The `up` command's configuration: its flags (each with a STREAMSOFT_* variable) and their validation.
import type { Command } from 'commander';
import { z } from 'zod';
import { envOption } from '../../cli/options';
import { jumpFields } from '../../producers/config';
import { DEFAULT_DASHBOARD_PORT } from '../../core/local-endpoints';
import { DEFAULT_DATA_DIR } from '../../core/paths';
import { listenPort, positiveSeconds, ratio } from '../../core/validation';
import { DEFAULT_STREAM_NAME } from '../../schemas/trade';
import { addServicePortOptions, servicePortFields } from '../services/port-options';

/**
 * Jumps per trade of a symbol: at the default 50 trades/s that is 3000 trades a minute, so about 1.5 jumps a
 * minute across the universe, most of them (|log jump| > 1%, 62% at σJ = 0.02) beyond gold's default 1%
 * alert threshold: the alerts tile fills within a couple of minutes, while most symbols go many minutes
 * without one. tests/jobs/test_price_jump_alerts.py runs gold's alert rule over this load.
 */
export const UP_JUMP_RATE = '0.0005';

export function addUpOptions(command: Command): Command {
  command
    .addOption(envOption('--transport <kind>', 'where trades go: kinesis or msk', 'kinesis'))
    .addOption(envOption('--rate <n>', 'trades per second', '50'))
    .addOption(
      envOption(
        '--refine <mode>',
        'silver and gold: continuous (one long-running Spark session) or batch (on a timer)',
        'continuous',
      ),
    )
    .addOption(envOption('--refine-trigger-seconds <n>', 'continuous silver/gold micro-batch interval', '5'))
    .addOption(
      envOption('--batch-interval <seconds>', 'with --refine batch: run silver then gold this often', '60'),
    )
    .addOption(envOption('--trigger-seconds <n>', 'bronze streaming micro-batch interval', '5'))
    .addOption(envOption('--data-dir <dir>', 'local state: lake, checkpoints, logs, pids', DEFAULT_DATA_DIR))
    .addOption(
      envOption(
        '--dashboard-port <port>',
        'dashboard port on 127.0.0.1 (0: any free port)',
        String(DEFAULT_DASHBOARD_PORT),
      ),
    );
  return addServicePortOptions(command)
    .addOption(envOption('--stream <name>', 'Kinesis stream / Kafka topic', DEFAULT_STREAM_NAME))
    .addOption(
      envOption(
        '--dup-ratio <r>',
        'share of trades the producer resends (dedup shows on the dashboard)',
        '0.01',
      ),
    )
    .addOption(
      envOption('--bad-ratio <r>', 'share of records that are not valid framed Avro (quarantined)', '0.002'),
    )
    .addOption(
      envOption('--late-ratio <r>', 'share of trades with an event time minutes in the past', '0.01'),
    )
    .addOption(
      envOption(
        '--jump-rate <rate>',
        'expected price jumps per trade of a symbol (at 50 trades/s, 0.0005 is ~1.5 jumps a minute)',
        UP_JUMP_RATE,
      ),
    )
    .addOption(envOption('--jump-size <sigma>', 'standard deviation of the log price jump', '0.02'))
    .addOption(envOption('--seed <n>', 'seed for a reproducible trade sequence'))
    .addOption(
      envOption('--start-timeout <seconds>', 'how long each stand-in may take to become healthy', '180'),
    );
}

export const upConfigSchema = z.object({
  transport: z.enum(['kinesis', 'msk'], { message: 'must be kinesis or msk' }),
  rate: z.coerce.number().positive('must be greater than 0').max(100_000, 'must be at most 100000'),
  refine: z.enum(['continuous', 'batch'], { message: 'must be continuous or batch' }),
  refineTriggerSeconds: positiveSeconds,
  batchInterval: positiveSeconds,
  triggerSeconds: positiveSeconds,
  dataDir: z.string().min(1),
  dashboardPort: listenPort,
  ...servicePortFields,
  stream: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a stream/topic name'),
  dupRatio: ratio,
  badRatio: ratio,
  lateRatio: ratio,
  ...jumpFields,
  seed: z.coerce.number().int('must be a whole number').optional(),
  startTimeout: positiveSeconds,
});

export type UpConfig = z.infer<typeof upConfigSchema>;
