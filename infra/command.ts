// `streamsoft infra synth`: writes the Terraform JSON of the AWS deployment, offline, for the chosen
// transport; `terraform init && terraform apply` in the printed folder deploys it (infra/README.md).
import path from 'node:path';
import type { Command } from 'commander';
import { envOption } from '../cli/options';
import { resolveInfraConfig, type InfraConfig } from './config';
import { synthInfra, type SynthResult } from './main';
import { infraInput, longFlag, SYNTH_FLAGS, type SynthFlag } from './synth-flags';

/** commander's attribute name of a flag: `--az-count` → `azCount`. */
function optionKey(flag: SynthFlag): string {
  return longFlag(flag)
    .replace(/^--/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function registerInfraCommand(program: Command): void {
  const infra = program.command('infra').description('AWS infrastructure as code (cdktf)');
  const synth = infra.command('synth');
  for (const flag of SYNTH_FLAGS) synth.addOption(envOption(flag.flags, flag.description));
  synth
    .description('Write the Terraform JSON of the AWS deployment (offline; no AWS call, no cdktf CLI)')
    .addOption(envOption('--out <dir>', 'output folder', 'cdktf.out'))
    .addOption(envOption('--json', 'print the result as JSON'))
    .action((raw: Record<string, unknown>) => {
      const config = resolveInfraConfig(infraInput((flag) => raw[optionKey(flag)]));
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
