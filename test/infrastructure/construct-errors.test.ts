import { App, Errors, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { Lockstep } from '../../cdk/index.js';

/** What a construct refuses, it refuses as aws-cdk-lib's constructs do: a ValidationError naming the construct's path. */
describe('construct errors', () => {
  // No bundling: the errors come from the construct tree, not from the functions' code.
  const lockstep = new Lockstep(
    new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Errors'),
    'Lockstep',
  );
  const thrown = (act: () => unknown): unknown => {
    try {
      act();
    } catch (error) {
      return error;
    }
    throw new Error('nothing was thrown');
  };

  it('refuses a step the workflow does not deploy with a ValidationError naming the workflow, version and step', () => {
    const error = thrown(() => lockstep.stepFunction('noop', '1', 'Nope'));
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe('workflow noop version 1 deploys no step "Nope"');
    expect((error as { constructPath?: string }).constructPath).toBe('Errors/Lockstep');
  });

  it('refuses an unknown workflow version with a ValidationError listing the known ones', () => {
    const error = thrown(() => lockstep.stateMachine('noop', '9'));
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^no workflow noop version 9 in this Lockstep; known: .*noop@1/);
  });
});
