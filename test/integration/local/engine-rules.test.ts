import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockstepStack } from '../../../cdk/lockstep-stack.js';
import { ENGINE_BUS_NAME, ENGINE_RULES } from '../../../lib/contract/events.js';
import { startTestLocalMode } from '../../support/local-mode.js';

/** A rule as both sides can state it: its name, its bus, its pattern with state machines by name. */
interface ComparableRule {
  name: string;
  bus: 'engine' | 'default';
  pattern: unknown;
}
type Pattern = { detail?: { stateMachineArn: unknown[] } } & Record<string, unknown>;

const byName = (rules: ComparableRule[]) => [...rules].sort((a, b) => a.name.localeCompare(b.name));
const withStateMachines = (pattern: Pattern, nameOf: (arn: unknown) => string): unknown =>
  pattern.detail
    ? { ...pattern, detail: { stateMachineArn: pattern.detail.stateMachineArn.map(nameOf).sort() } }
    : pattern;

/** The CDK app's event rules (those with a pattern: the sweeper's schedule has none), and the function each feeds. */
function deployedRules(): { rules: ComparableRule[]; targets: Record<string, string> } {
  // No bundling: only the rules are read.
  const stack = new LockstepStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Lockstep');
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const stateMachineName = (ref: unknown) =>
    resources[(ref as { Ref: string }).Ref]!.Properties.StateMachineName as string;
  const rules: ComparableRule[] = [];
  const targets: Record<string, string> = {};
  for (const [logicalId, { Type, Properties }] of Object.entries(resources)) {
    if (Type !== 'AWS::Events::Rule' || !Properties.EventPattern) continue;
    // Default/Events/<rule id> → Events<rule id><hash>
    const name = /^Events(.+)[0-9A-F]{8}$/.exec(logicalId)![1]!;
    rules.push({
      name,
      bus: Properties.EventBusName ? 'engine' : 'default',
      pattern: withStateMachines(Properties.EventPattern as Pattern, stateMachineName),
    });
    const [target] = Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] } }[];
    targets[name] = /^(\w+?)Handler/.exec(target!.Arn['Fn::GetAtt'][0])![1]!.toLowerCase();
  }
  return { rules: byName(rules), targets };
}

/** Issue 19: the CDK app and local mode install the engine's rules from one list, so they route alike. */
describe("the engine's event rules", () => {
  let t: Awaited<ReturnType<typeof startTestLocalMode>>;
  let installed: ComparableRule[];
  beforeAll(async () => {
    t = await startTestLocalMode();
    // Read at once: tests add observer rules of their own to the same bus later.
    installed = byName(
      t.local.bus.listRules().map(({ name, eventBusName, pattern }) => ({
        name,
        bus: eventBusName === ENGINE_BUS_NAME ? 'engine' : 'default',
        pattern: withStateMachines(pattern as Pattern, (arn) => String(arn).split(':').at(-1)!),
      })),
    );
  });
  afterAll(() => t?.local.stop());

  it('are the same on AWS and in local mode: names, buses and patterns, the state machines of the same catalog', () => {
    const { rules } = deployedRules();
    expect(installed).toEqual(rules);
    // A rule one side adds alone is a difference.
    expect([...installed, { name: 'Extra', bus: 'engine', pattern: { source: ['x'] } }]).not.toEqual(rules);
  });

  it('are exactly ENGINE_RULES, each feeding the function the list names', () => {
    const { rules, targets } = deployedRules();
    expect(rules.map((r) => r.name)).toEqual(ENGINE_RULES.map((r) => r.id).sort());
    expect(targets).toEqual(Object.fromEntries(ENGINE_RULES.map((r) => [r.id, r.target])));
  });
});
