// The cdktf app: picks the configuration once (validated, defaults filled), finds the Glue wheels on
// disk, and synthesizes the stack to Terraform JSON. `streamsoft infra synth` calls synthInfra in
// process; `cdktf synth` (cdktf.json) runs this file, reading the same STREAMSOFT_* variables.
import fs from 'node:fs';
import path from 'node:path';
import { App } from 'cdktf';
import { readEnv } from '../core/env';
import { EnvironmentError } from '../core/errors';
import { matchWheels, pinText, readPins } from '../glue-streaming/glue-wheels';
import { ENTRY_SCRIPTS, SHARED_PACKAGE } from './constructs/glue-artifacts';
import { namePrefix, resolveInfraConfig, type InfraConfig } from './config';
import { checkAwsRules, type TerraformDocument } from './name-check';
import { StreamSoftStack } from './stacks/streamsoft-stack';
import { infraInputFromEnvironment } from './synth-flags';

export interface SynthResult {
  readonly stackName: string;
  /** Folder holding `cdk.tf.json` and the assets: where `terraform init/apply` runs. */
  readonly stackDir: string;
  readonly outdir: string;
  readonly wheelFiles: string[];
}

/**
 * The wheel of every package the jobs need, from the wheels folder `streamsoft setup` fills; none with
 * `pipInstallModules`. A missing wheel is one line naming it and the way out.
 */
function findWheels(config: InfraConfig): string[] {
  if (config.pipInstallModules) return [];
  const dir = config.glueWheelsDir;
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const { wheels, missing } = matchWheels(readPins(), files);
  if (missing.length > 0) {
    throw new EnvironmentError(
      `infra synth: no Glue wheel for ${missing.map(pinText).join(', ')} in ${dir}; run \`streamsoft setup\` ` +
        'to stage them, or pass --pip-install-modules to have the jobs pip-install from PyPI at start',
    );
  }
  return wheels.map((f) => path.join(dir, f));
}

/** The newest `aws-msk-iam-auth-<version>-all.jar` in the jar folder, if any. */
function findMskIamJar(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const jars = fs
    .readdirSync(dir)
    .filter((f) => /^aws-msk-iam-auth-[\d.]+-all\.jar$/.test(f))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const newest = jars.at(-1);
  return newest === undefined ? undefined : path.join(dir, newest);
}

/** The files synth uploads must exist before anything is built; one line says which is missing. */
function checkLocalFiles(config: InfraConfig): void {
  const required = [
    ...Object.values(ENTRY_SCRIPTS).map((file) => path.join(config.glueSourceDir, file)),
    path.join(config.glueSourceDir, SHARED_PACKAGE, '__init__.py'),
  ];
  if (config.mskIamAuthJar !== undefined && !config.mskIamAuthJar.startsWith('s3://')) {
    required.push(path.resolve(config.mskIamAuthJar));
  }
  const missing = required.find((file) => !fs.existsSync(file));
  if (missing !== undefined) throw new EnvironmentError(`infra synth: file to upload not found: ${missing}`);
}

/** Everything synth reads from disk is there (one line on what is not); returns the wheels to upload. */
function checkInputs(config: InfraConfig): string[] {
  checkLocalFiles(config);
  return findWheels(config);
}

/**
 * Builds the stack into `app` without writing anything (tests synth it with cdktf's Testing), and checks
 * its Terraform against AWS's documented name and Glue rules: one line on the first one broken.
 */
export function buildStack(app: App, config: InfraConfig): { stack: StreamSoftStack; wheelFiles: string[] } {
  const wheelFiles = checkInputs(config);
  const mskIamAuthJar = config.mskIamAuthJar ?? findMskIamJar(config.mskIamJarDir);
  const stack = new StreamSoftStack(app, namePrefix(config), {
    config: { ...config, mskIamAuthJar },
    wheelFiles,
    pythonModules: readPins().map(pinText),
  });
  checkAwsRules(stack.toTerraform() as TerraformDocument);
  return { stack, wheelFiles };
}

/** Writes the Terraform JSON for `config` under `outdir`, offline. */
export function synthInfra(config: InfraConfig, outdir: string): SynthResult {
  const resolvedOut = path.resolve(outdir);
  checkInputs(config); // before App, which creates the output folder
  const outExisted = fs.existsSync(resolvedOut);
  const app = new App({ outdir: resolvedOut, stackTraces: false });
  let wheelFiles: string[];
  try {
    ({ wheelFiles } = buildStack(app, config));
  } catch (error) {
    // Nothing was synthesized: leave no folder behind that synth created, nor its staged assets.
    fs.rmSync(outExisted ? path.join(resolvedOut, '.staging') : resolvedOut, {
      recursive: true,
      force: true,
    });
    throw error;
  }
  app.synth();
  const stackName = namePrefix(config);
  fs.rmSync(path.join(resolvedOut, '.staging'), { recursive: true, force: true });
  return {
    stackName,
    stackDir: path.join(resolvedOut, 'stacks', stackName),
    outdir: resolvedOut,
    wheelFiles,
  };
}

/** Configuration from STREAMSOFT_* variables, for `cdktf synth`; the CLI reads the same flag table. */
export function configFromEnvironment(): InfraConfig {
  return resolveInfraConfig(infraInputFromEnvironment());
}

if (require.main === module) {
  const result = synthInfra(configFromEnvironment(), readEnv('CDKTF_OUTDIR') ?? 'cdktf.out');
  process.stdout.write(`${result.stackDir}\n`);
}
