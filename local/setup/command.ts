// `streamsoft setup`: the Python virtualenvs and JVM artifacts in .tools/, idempotent and cached.
import type { Command } from 'commander';
import { z } from 'zod';
import { envOption } from '../../cli/options';
import { parseConfig } from '../../core/validation';
import { runSetup } from './run-setup';
import { SETUP_GROUPS, type SetupGroup } from './steps';

const setupConfig = z.object({
  quiet: z.boolean().default(false),
  force: z.boolean().default(false),
  only: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const groups = value.split(',').map((part) => part.trim());
      const unknown = groups.find((group) => !(SETUP_GROUPS as readonly string[]).includes(group));
      if (unknown !== undefined) {
        ctx.addIssue({ code: 'custom', message: `must be one or more of ${SETUP_GROUPS.join(', ')}` });
        return z.NEVER;
      }
      return groups as SetupGroup[];
    }),
});

export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .description('Create the Python virtualenv and fetch the pinned JVM artifacts into .tools/ (cached)')
    .addOption(envOption('--quiet', 'print nothing unless something fails'))
    .addOption(envOption('--force', 'redo every step even if it is up to date'))
    .addOption(envOption('--only <groups>', `only these steps, comma-separated: ${SETUP_GROUPS.join(', ')}`))
    .action(async (raw: Record<string, unknown>) => {
      const config = parseConfig(setupConfig, raw);
      await runSetup({ ...config, checkPrerequisites: true });
    });
}
