// The jobs writing silver and gold: batch jobs chained by a workflow (silver on a schedule, gold when silver
// succeeded; the default), or, in continuous mode, one streaming job running both layers' queries in one
// driver (refine_streaming.py). Either way silver and gold each have exactly one writing job.
import type { Construct } from 'constructs';
import { GlueTrigger } from '@cdktf/provider-aws/lib/glue-trigger';
import { GlueWorkflow } from '@cdktf/provider-aws/lib/glue-workflow';
import { batchArguments, refineArguments } from '../../glue-streaming/job-arguments';
import { glueJob, type GlueJobPlatform } from './glue-job-definition';

/** Silver and gold batch jobs, silver on a schedule and gold when silver succeeded. */
export function batchRefineJobs(
  scope: Construct,
  platform: GlueJobPlatform,
  silverSchedule: string,
): { jobNames: string[]; workflowName: string } {
  const ctx = platform.context;
  const silver = glueJob(scope, platform, {
    job: 'silver',
    type: 'glueetl',
    script: platform.artifacts.scripts.silver,
    arguments: batchArguments('silver', platform.locations),
    readPrefixes: ['lake/bronze'],
    writeLayers: ['silver'],
    sourcePolicy: [],
  });
  const gold = glueJob(scope, platform, {
    job: 'gold',
    type: 'glueetl',
    script: platform.artifacts.scripts.gold,
    arguments: batchArguments('gold', platform.locations),
    // Pipeline health counts every layer.
    readPrefixes: ['lake/bronze', 'lake/silver'],
    writeLayers: ['gold'],
    sourcePolicy: [],
  });
  const workflow = new GlueWorkflow(scope, 'workflow', {
    name: `${ctx.namePrefix}-refine`,
    description: 'silver on a schedule, then gold when silver succeeded',
    maxConcurrentRuns: 1,
  });
  new GlueTrigger(scope, 'silver-schedule', {
    name: `${ctx.namePrefix}-silver-schedule`,
    type: 'SCHEDULED',
    schedule: silverSchedule,
    workflowName: workflow.name,
    startOnCreation: true,
    actions: [{ jobName: silver.name }],
  });
  new GlueTrigger(scope, 'gold-after-silver', {
    name: `${ctx.namePrefix}-gold-after-silver`,
    type: 'CONDITIONAL',
    workflowName: workflow.name,
    startOnCreation: true,
    predicate: { conditions: [{ jobName: silver.name, state: 'SUCCEEDED', logicalOperator: 'EQUALS' }] },
    actions: [{ jobName: gold.name }],
  });
  return { jobNames: [silver.name, gold.name], workflowName: workflow.name };
}

/**
 * Continuous mode: silver and gold as long-running queries in one streaming job, on the batch jobs'
 * checkpoints (a deployment can switch modes without replaying anything). One driver writes both layers,
 * and silver and gold each keep exactly one writer: this job.
 */
export function continuousRefineJob(
  scope: Construct,
  platform: GlueJobPlatform,
  triggerSeconds: number,
): string {
  return glueJob(scope, platform, {
    job: 'refine',
    type: 'gluestreaming',
    script: platform.artifacts.scripts.refine,
    arguments: refineArguments(platform.locations, triggerSeconds),
    readPrefixes: ['lake/bronze'],
    writeLayers: ['silver', 'gold'],
    sourcePolicy: [],
  }).name;
}
