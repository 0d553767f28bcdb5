import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Lockstep, type LockstepProps } from './lockstep.js';

export type LockstepStackProps = StackProps & LockstepProps;

/** This repository's stack (cdk/app.ts): the `Lockstep` construct, alone. */
export class LockstepStack extends Stack {
  readonly lockstep: Lockstep;

  constructor(scope: Construct, id: string, props: LockstepStackProps = {}) {
    const { workflows, deletionProtection, alarmEmail, ecsServiceArns, sweepInterval, intermediaries, ...stackProps } =
      props;
    super(scope, id, stackProps);
    // `Default` adds nothing to logical ids: the resources keep the ids they had before the construct existed, so deployed stacks update in place.
    this.lockstep = new Lockstep(this, 'Default', {
      workflows,
      deletionProtection,
      alarmEmail,
      ecsServiceArns,
      sweepInterval,
      intermediaries,
    });
  }
}
