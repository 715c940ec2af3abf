// Where `streamsoft setup` puts each piece of tooling, shared by setup (which fills it) and the stand-ins
// and jobs (which run from it).
import path from 'node:path';
import { JARS_DIR, REPO_ROOT, TOOLS_DIR, VENV_DIR } from '../../core/paths';
import { GLUE_REQUIREMENTS, GLUE_WHEELS_DIR } from '../../glue-streaming/glue-wheels';

export const APICURIO_VERSION = '3.3.3';
export const APICURIO_ARTIFACT = `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`;

/**
 * The MSK IAM login module and callback handler the bronze job names on Glue (--extra-jars): the shaded
 * `all` build, which carries its AWS SDK dependencies (https://github.com/aws/aws-msk-iam-auth#installing).
 */
export const MSK_IAM_AUTH_VERSION = '2.3.2';
export const MSK_IAM_AUTH_ARTIFACT = `software.amazon.msk:aws-msk-iam-auth:${MSK_IAM_AUTH_VERSION}:jar:all`;

export const toolLocations = {
  venv: VENV_DIR,
  venvRequirements: path.join(REPO_ROOT, 'glue-streaming', 'requirements.txt'),
  glueWheels: GLUE_WHEELS_DIR,
  glueRequirements: GLUE_REQUIREMENTS,
  checkovVenv: path.join(TOOLS_DIR, 'checkov-venv'),
  checkovRequirements: path.join(REPO_ROOT, 'infra', 'requirements-checkov.txt'),
  sparkJars: path.join(JARS_DIR, 'spark'),
  sparkPom: path.join(REPO_ROOT, 'glue-streaming', 'jars', 'pom.xml'),
  kafkaJars: path.join(JARS_DIR, 'kafka'),
  mskIamJars: path.join(JARS_DIR, 'msk-iam'),
  kafkaPom: path.join(REPO_ROOT, 'local', 'jvm', 'kafka', 'pom.xml'),
  kafkaLog4j: path.join(REPO_ROOT, 'local', 'jvm', 'kafka', 'log4j2.properties'),
  apicurio: path.join(TOOLS_DIR, 'apicurio', APICURIO_VERSION),
  stamps: path.join(TOOLS_DIR, 'stamps'),
  logs: path.join(TOOLS_DIR, 'logs'),
  scratch: path.join(TOOLS_DIR, 'tmp'),
  lock: path.join(TOOLS_DIR, 'setup.lock'),
} as const;
