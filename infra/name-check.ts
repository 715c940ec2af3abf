// The synth-time check of the Terraform JSON against AWS's documented rules (aws-rules.ts): every literal
// name of every resource, and every Glue job's type and worker type. A name AWS would refuse at apply,
// half-way through a deployment, stops synth instead, with one line saying which and why.
import { ConfigError } from '../core/errors';
import { brokenGlueJobRule, brokenNameRule, GLUE_JOBS_DOC, NAME_RULES } from './aws-rules';

type Resources = Record<string, Record<string, Record<string, unknown>>>;
/** The part of a synthesized Terraform JSON document the check reads. */
export type TerraformDocument = { resource?: Resources };

export interface RuleViolation {
  /** `aws_lb_target_group.metabase_tg_1234` */
  readonly resource: string;
  readonly attribute: string;
  readonly value: string;
  readonly broken: string;
  readonly doc: string;
}

/** A value Terraform computes at apply (`${aws_x.y.name}`) is not a name synth can check. */
const isLiteral = (value: unknown): value is string => typeof value === 'string' && !value.includes('${');

/** Every rule the synthesized document breaks, in document order. */
export function ruleViolations(doc: TerraformDocument): RuleViolation[] {
  const found: RuleViolation[] = [];
  for (const [type, resources] of Object.entries(doc.resource ?? {})) {
    const rules = NAME_RULES[type] ?? {};
    for (const [id, resource] of Object.entries(resources)) {
      for (const [attribute, rule] of Object.entries(rules)) {
        const value = resource[attribute];
        if (!isLiteral(value)) continue;
        const broken = brokenNameRule(rule, value);
        if (broken !== undefined)
          found.push({ resource: `${type}.${id}`, attribute, value, broken, doc: rule.doc });
      }
      if (type === 'aws_glue_job') {
        const command = resource.command as { name?: unknown } | undefined;
        const broken = brokenGlueJobRule({
          command: String(command?.name ?? 'glueetl'),
          workerType: typeof resource.worker_type === 'string' ? resource.worker_type : undefined,
          glueVersion: String(resource.glue_version),
        });
        if (broken !== undefined) {
          found.push({
            resource: `${type}.${id}`,
            attribute: 'command',
            value: String(resource.name),
            broken,
            doc: GLUE_JOBS_DOC,
          });
        }
      }
    }
  }
  return found;
}

/** One line on a violation: the resource, the name, the rule broken and where AWS says so. */
export function describeViolation(v: RuleViolation): string {
  return `${v.resource} ${v.attribute} "${v.value}" ${v.broken} (${v.doc})`;
}

/** Throws a one-line ConfigError (exit code 2) naming the first violation and counting the others. */
export function checkAwsRules(doc: TerraformDocument): void {
  const violations = ruleViolations(doc);
  if (violations.length === 0) return;
  const more = violations.length > 1 ? `; and ${violations.length - 1} more` : '';
  throw new ConfigError(`infra synth: AWS would refuse ${describeViolation(violations[0]!)}${more}`);
}
