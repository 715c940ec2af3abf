// The setup steps: what each installs, from which pinned inputs, and how. Each step builds in a scratch
// folder and renames it into place at the end, so an interrupted run leaves the old state or nothing.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StreamSoftError } from '../../core/errors';
import { REPO_ROOT } from '../../core/paths';
import {
  GLUE_PYTHON_VERSION,
  GLUE_WHEEL_PLATFORM,
  matchWheels,
  pinText,
  readPins,
} from '../../glue-streaming/glue-wheels';
import { type FoundTool, findJava, findMaven, findPython, MIN_JAVA_KAFKA, mavenEnv } from './prerequisites';
import { APICURIO_ARTIFACT, MSK_IAM_AUTH_ARTIFACT, MSK_IAM_AUTH_VERSION, toolLocations } from './tools';

/** A setup step failed (pip, mvn or tar exited non-zero); the message points at its log. */
export class SetupError extends StreamSoftError {}

// msk-iam is a group of its own: only synth for MSK needs it, so starting the Kafka stand-in (which
// brings the `jars` group up to date) does not fetch it.
export type SetupGroup = 'venv' | 'glue-wheels' | 'jars' | 'msk-iam' | 'apicurio';
export const SETUP_GROUPS: readonly SetupGroup[] = ['venv', 'glue-wheels', 'jars', 'msk-iam', 'apicurio'];

export interface StepContext {
  log: string;
  /** An empty folder of this step's own, removed after the step. */
  scratch: string;
  tools: Tools;
  /** `setup --force`: rebuild from nothing rather than update. */
  force: boolean;
}

/** The tools found by the prerequisite check; looked up lazily so a step that needs none checks none. */
export interface Tools {
  java(): FoundTool;
  python(): FoundTool;
  maven(): FoundTool;
}

export interface SetupStep {
  id: string;
  group: SetupGroup;
  title: string;
  /** What must exist when the step is done. */
  target: string;
  /** Files whose content decides whether the step is up to date; a missing required input skips the step. */
  inputs: string[];
  /** Extra text mixed into the fingerprint (pinned versions that live in code). */
  salt: string;
  needs: Array<keyof Tools>;
  run(context: StepContext): Promise<void>;
}

export function fingerprint(step: SetupStep): string {
  const hash = createHash('sha256').update(`${step.id}\n${step.salt}\n`);
  for (const input of step.inputs) hash.update(fs.readFileSync(input));
  return hash.digest('hex');
}

export function isApplicable(step: SetupStep): boolean {
  return step.inputs.every((input) => fs.existsSync(input));
}

function relative(file: string): string {
  return path.relative(REPO_ROOT, file) || '.';
}

/** Runs a command with its output appended to the step's log; rejects with a SetupError naming the log. */
export function runLogged(
  command: string,
  args: string[],
  log: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<void> {
  fs.appendFileSync(log, `\n$ ${command} ${args.join(' ')}\n`);
  const fd = fs.openSync(log, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: options.env, cwd: options.cwd });
    child.on('error', (error) => {
      fs.closeSync(fd);
      reject(new SetupError(`could not run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      fs.closeSync(fd);
      if (code === 0) resolve();
      else {
        const how = signal === null ? `exited with ${code}` : `was killed by ${signal}`;
        reject(new SetupError(`${path.basename(command)} ${how}; see ${relative(log)}`));
      }
    });
  });
}

/** Swaps `from` into `to` with two renames, so readers of `to` see the old or the new folder, never none. */
function replaceDir(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const old = `${to}.old-${process.pid}`;
  const hadOld = fs.existsSync(to);
  if (hadOld) fs.renameSync(to, old);
  fs.renameSync(from, to);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}

/**
 * A virtualenv cannot be moved (its scripts name their interpreter by absolute path), so it is built in
 * place; the stamp written after `pip install` succeeds is what marks it complete, and a re-run after an
 * interruption repeats `pip install`, which continues where it stopped.
 */
function venvStep(id: string, title: string, venv: string, requirements: string): SetupStep {
  return {
    id,
    group: 'venv',
    title,
    target: path.join(venv, 'bin', 'python'),
    inputs: [requirements],
    salt: 'venv-1',
    needs: ['python'],
    async run({ log, tools, force }) {
      const python = path.join(venv, 'bin', 'python');
      // A venv whose pip does not run (cut short while being created) is rebuilt; so is every venv on --force.
      const usable =
        !force &&
        fs.existsSync(python) &&
        (await runLogged(python, ['-m', 'pip', '--version'], log).then(
          () => true,
          () => false,
        ));
      if (!usable) {
        fs.rmSync(venv, { recursive: true, force: true });
        await runLogged(tools.python().command, ['-m', 'venv', venv], log);
      }
      const pip = ['-m', 'pip', '--disable-pip-version-check', 'install', '--progress-bar', 'off'];
      await runLogged(python, [...pip, '-r', requirements], log);
    },
  };
}

/** pip arguments that download pinned packages as wheels for the Glue workers (Linux x86_64, Glue's Python). */
export function glueWheelsDownloadArgs(requirements: string, dest: string): string[] {
  return [
    '-m',
    'pip',
    '--disable-pip-version-check',
    'download',
    '--progress-bar',
    'off',
    '--only-binary=:all:',
    '--platform',
    GLUE_WHEEL_PLATFORM,
    '--python-version',
    GLUE_PYTHON_VERSION,
    '--implementation',
    'cp',
    '--no-deps',
    '-d',
    dest,
    '-r',
    requirements,
  ];
}

/**
 * The wheels `infra synth` uploads for the Glue jobs, downloaded with the venv's pip (the interpreter's own
 * if the venv is not there yet): the Glue workers cannot reach PyPI. Every pin must yield its wheel.
 */
export function glueWheelsStep(target: string, requirements: string, venv: string): SetupStep {
  return {
    id: 'glue-wheels',
    group: 'glue-wheels',
    title: `Glue job wheels (Python ${GLUE_PYTHON_VERSION}, ${GLUE_WHEEL_PLATFORM}) from ${relative(requirements)} → ${relative(target)}`,
    target,
    inputs: [requirements],
    salt: `glue-wheels-1 ${GLUE_PYTHON_VERSION} ${GLUE_WHEEL_PLATFORM}`,
    needs: ['python'],
    async run({ log, scratch, tools }) {
      const venvPython = path.join(venv, 'bin', 'python');
      const python = fs.existsSync(venvPython) ? venvPython : tools.python().command;
      const out = path.join(scratch, 'wheels');
      fs.mkdirSync(out);
      await runLogged(python, glueWheelsDownloadArgs(requirements, out), log);
      const { missing } = matchWheels(readPins(requirements), fs.readdirSync(out));
      if (missing.length > 0) {
        throw new SetupError(
          `pip downloaded no wheel for ${missing.map(pinText).join(', ')}; see ${relative(log)}`,
        );
      }
      replaceDir(out, target);
    },
  };
}

function mavenJarsStep(id: string, title: string, pom: string, target: string): SetupStep {
  return {
    id,
    group: 'jars',
    title,
    target,
    inputs: [pom],
    salt: 'jars-1',
    needs: ['java', 'maven'],
    async run({ log, scratch, tools }) {
      const out = path.join(scratch, 'jars');
      const args = ['-B', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime'];
      await runLogged(tools.maven().command, [...args, `-DoutputDirectory=${out}`], log, {
        env: mavenEnv(tools.java()),
      });
      fs.mkdirSync(out, { recursive: true });
      replaceDir(out, target);
    },
  };
}

/** The aws-msk-iam-auth jar, where synth finds it to upload for the Glue job (infra/README.md). */
export function mskIamJarStep(target: string = toolLocations.mskIamJars): SetupStep {
  return {
    id: 'msk-iam-jar',
    group: 'msk-iam',
    title: `MSK IAM auth jar (${MSK_IAM_AUTH_ARTIFACT}) → ${relative(target)}`,
    target: path.join(target, `aws-msk-iam-auth-${MSK_IAM_AUTH_VERSION}-all.jar`),
    inputs: [],
    salt: MSK_IAM_AUTH_ARTIFACT,
    needs: ['java', 'maven'],
    async run({ log, scratch, tools }) {
      const out = path.join(scratch, 'jars');
      await runLogged(
        tools.maven().command,
        ['-B', 'dependency:copy', `-Dartifact=${MSK_IAM_AUTH_ARTIFACT}`, `-DoutputDirectory=${out}`],
        log,
        { env: mavenEnv(tools.java()), cwd: scratch },
      );
      replaceDir(out, target);
    },
  };
}

const apicurioStep: SetupStep = {
  id: 'apicurio',
  group: 'apicurio',
  title: `Apicurio Registry (${APICURIO_ARTIFACT}) → ${relative(toolLocations.apicurio)}`,
  target: path.join(toolLocations.apicurio, 'quarkus-run.jar'),
  inputs: [],
  salt: APICURIO_ARTIFACT,
  needs: ['java', 'maven'],
  async run({ log, scratch, tools }) {
    const download = path.join(scratch, 'download');
    await runLogged(
      tools.maven().command,
      ['-B', 'dependency:copy', `-Dartifact=${APICURIO_ARTIFACT}`, `-DoutputDirectory=${download}`],
      log,
      { env: mavenEnv(tools.java()), cwd: scratch },
    );
    const tarball = fs.readdirSync(download).find((name) => name.endsWith('.tar.gz'));
    if (tarball === undefined)
      throw new SetupError(`Maven fetched no tarball for ${APICURIO_ARTIFACT}; see ${relative(log)}`);
    const unpacked = path.join(scratch, 'unpacked');
    fs.mkdirSync(unpacked);
    await runLogged('tar', ['-xzf', path.join(download, tarball), '-C', unpacked], log);
    if (!fs.existsSync(path.join(unpacked, 'quarkus-run.jar'))) {
      throw new SetupError(`the Apicurio tarball has no quarkus-run.jar; see ${relative(log)}`);
    }
    replaceDir(unpacked, toolLocations.apicurio);
  },
};

export function setupSteps(): SetupStep[] {
  const t = toolLocations;
  return [
    venvStep(
      'venv',
      `Python virtualenv ${relative(t.venv)} from ${relative(t.venvRequirements)}`,
      t.venv,
      t.venvRequirements,
    ),
    glueWheelsStep(t.glueWheels, t.glueRequirements, t.venv),
    venvStep(
      'checkov-venv',
      `checkov + parliament virtualenv ${relative(t.checkovVenv)} from ${relative(t.checkovRequirements)}`,
      t.checkovVenv,
      t.checkovRequirements,
    ),
    mavenJarsStep(
      'spark-jars',
      `Spark jars (Delta, Kafka source) → ${relative(t.sparkJars)}`,
      t.sparkPom,
      t.sparkJars,
    ),
    mavenJarsStep('kafka-jars', `Kafka broker jars → ${relative(t.kafkaJars)}`, t.kafkaPom, t.kafkaJars),
    mskIamJarStep(),
    apicurioStep,
  ];
}

/** Prerequisites are looked up once per run, and only when a step that needs them is about to run. */
export function lazyTools(): Tools {
  let java: FoundTool | undefined;
  let python: FoundTool | undefined;
  let maven: FoundTool | undefined;
  return {
    java: () => (java ??= findJava(MIN_JAVA_KAFKA, 'Maven and the Kafka broker')),
    python: () => (python ??= findPython()),
    maven() {
      maven ??= findMaven(this.java());
      return maven;
    },
  };
}
