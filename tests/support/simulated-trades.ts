// Prints what `streamsoft up` would produce in its first minutes, one JSON line per emission, on a
// simulated clock (up's --rate emissions a second from a fixed minute): the producer's own simulator,
// configured through up's flags and the produce arguments up passes its producer child. For
// tests/jobs/test_price_jump_alerts.py, which runs gold's alert rule over these trades.
// Usage: tsx tests/support/simulated-trades.ts <seed> <minutes> [up flags...]
import { Command } from 'commander';
import { parseConfig } from '../../core/validation';
import { addUpOptions, upConfigSchema } from '../../local/pipeline/config';
import { produceArgs } from '../../local/pipeline/pipeline-commands';
import { simulatorFor } from '../../producers/command';
import { addProduceOptions, produceConfigSchema } from '../../producers/config';

const START_MS = Date.UTC(2026, 0, 5, 14, 30);

const [seedText, minutesText, ...upFlags] = process.argv.slice(2);
const seed = Number(seedText);
const minutes = Number(minutesText);
if (!Number.isInteger(seed) || !(minutes > 0)) {
  process.stderr.write('usage: simulated-trades.ts <seed> <minutes> [up flags...]\n');
  process.exit(2);
}

const upCommand = addUpOptions(new Command('up')).exitOverride();
upCommand.parse(upFlags, { from: 'user' });
const up = parseConfig(upConfigSchema, upCommand.opts());
const [, ...childArgs] = produceArgs(up, {
  kinesis: 'http://127.0.0.1:1',
  registry: 'http://127.0.0.1:2/apis/ccompat/v7',
});
const produceCommand = addProduceOptions(new Command('produce')).exitOverride();
produceCommand.parse(childArgs, { from: 'user' });
const produce = parseConfig(produceConfigSchema, produceCommand.opts());

let emissionIndex = 0;
const clock = (): number => START_MS + Math.floor((emissionIndex * 1000) / produce.rate);
const simulator = simulatorFor(produce, seed, clock);
const lines: string[] = [];
for (; emissionIndex < minutes * 60 * produce.rate; emissionIndex++) {
  const emission = simulator.next();
  lines.push(JSON.stringify({ kind: emission.kind, emitted_at: clock(), trade: emission.trade }));
}
process.stdout.write(lines.join('\n') + '\n');
