// The `streamsoft` command tree: each domain folder owns its subcommand, this file only wires them.
import { Command } from 'commander';
import { registerSetupCommand } from '../local/setup/command';
import { registerServicesCommand } from '../local/services/command';
import { registerSchemasCommand } from '../schemas/command';
import { registerProduceCommand } from '../producers/command';
import { registerQueryCommand } from '../lake/command';
import { registerDashboardCommand, registerMetabaseCommand } from '../metabase/command';
import { registerInfraCommand } from '../infra/command';
import { registerUpCommand } from '../local/pipeline/command';
import { registerJobsCommand } from '../glue-streaming/command';

export function buildProgram(): Command {
  const program = new Command('streamsoft')
    .description(
      'Real-time market-trades pipeline: produce, ingest, refine and show trades, locally or on AWS.',
    )
    .showSuggestionAfterError()
    .exitOverride();
  registerSchemasCommand(program);
  registerProduceCommand(program);
  registerQueryCommand(program);
  registerSetupCommand(program);
  registerServicesCommand(program);
  registerJobsCommand(program);
  registerDashboardCommand(program);
  registerMetabaseCommand(program);
  registerInfraCommand(program);
  registerUpCommand(program);
  return program;
}
