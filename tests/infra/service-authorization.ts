// AWS's Service Authorization Reference (which resource types each IAM action takes,
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
// as parliament ships it: its iam_definition.json, in the checkov virtualenv `streamsoft setup` installs
// from infra/requirements-checkov.txt. Tests judge policies by it instead of lists of their own.
import fs from 'node:fs';
import path from 'node:path';
import { toolLocations } from '../../local/setup/tools';

interface Service {
  prefix: string;
  privileges: { privilege: string; resource_types: { resource_type: string }[] }[];
}

/** parliament's iam_definition.json under the checkov virtualenv (lib/<python>/site-packages/parliament). */
function iamDefinitionFile(): string {
  const lib = path.join(toolLocations.checkovVenv, 'lib');
  for (const python of fs.existsSync(lib) ? fs.readdirSync(lib) : []) {
    const file = path.join(lib, python, 'site-packages', 'parliament', 'iam_definition.json');
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`parliament's iam_definition.json not found under ${lib}: run \`npx streamsoft setup\``);
}

/**
 * `service:Action` (lower case) → the resource types the action can be scoped to. An empty list: the
 * action has no resource-level permissions, so AWS only grants it on Resource "*". Actions the reference
 * does not list are absent.
 */
export function actionResourceTypes(): Map<string, string[]> {
  const services = JSON.parse(fs.readFileSync(iamDefinitionFile(), 'utf8')) as Service[];
  const types = new Map<string, string[]>();
  for (const service of services) {
    for (const { privilege, resource_types } of service.privileges) {
      const scoped = resource_types.map((r) => r.resource_type).filter((r) => r !== '');
      types.set(`${service.prefix}:${privilege}`.toLowerCase(), scoped);
    }
  }
  return types;
}
