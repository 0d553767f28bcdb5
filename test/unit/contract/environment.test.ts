import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ENVIRONMENT,
  engineFunctionEnvironment,
  engineRuntimeEnvironment,
  publisherEnvironment,
  readLambdaSettings,
  readLocalConfig,
  readPublisherSettings,
  readWorkflowVersionsSettings,
  workflowVersionsEnvironment,
} from '../../../lib/contract/environment.js';
import { DEFAULT_POLICY, POLICY_BOUNDS } from '../../../lib/domain/policies.js';

describe('local configuration (API.md)', () => {
  it('has the documented defaults', () => {
    expect(readLocalConfig({})).toEqual({
      port: 3000,
      stepFunctionsPort: 3001,
      eventBridgePort: 3002,
      policy: {
        cooldownSeconds: 300,
        backoffBaseSeconds: 60,
        backoffMaxSeconds: 600,
        maxConsecutiveFailures: 5,
        executionTimeoutSeconds: 3600,
        startGraceSeconds: 30,
      },
      sweepIntervalSeconds: 60,
      tableName: 'lockstep',
    });
  });

  it('reads every setting', () => {
    const config = readLocalConfig({
      PORT: '8080',
      LOCKSTEP_TOKEN: 'secret',
      LOCKSTEP_COOLDOWN_SECONDS: '10',
      LOCKSTEP_BACKOFF_BASE_SECONDS: '2',
      LOCKSTEP_BACKOFF_MAX_SECONDS: '20',
      LOCKSTEP_MAX_CONSECUTIVE_FAILURES: '3',
      LOCKSTEP_SWEEP_INTERVAL_SECONDS: '5',
      DYNAMODB_ENDPOINT: 'http://localhost:8000',
      LOCKSTEP_DATA_DIR: '/var/lib/lockstep',
    });
    expect(config).toMatchObject({
      port: 8080,
      token: 'secret',
      policy: { cooldownSeconds: 10, backoffBaseSeconds: 2, backoffMaxSeconds: 20, maxConsecutiveFailures: 3 },
      sweepIntervalSeconds: 5,
      dynamodbEndpoint: 'http://localhost:8000',
      dataDir: '/var/lib/lockstep',
    });
  });

  it('says which setting is wrong', () => {
    expect(() => readLocalConfig({ PORT: 'eighty' })).toThrow(ConfigurationError);
    expect(() => readLocalConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => readLocalConfig({ DYNAMODB_ENDPOINT: 'not a url' })).toThrow(/DYNAMODB_ENDPOINT/);
  });

  it.each([
    ['LOCKSTEP_SWEEP_INTERVAL_SECONDS', '99999999'],
    ['LOCKSTEP_SWEEP_INTERVAL_SECONDS', '0'],
    ['PORT', '70000'],
    ['LOCKSTEP_STEPFUNCTIONS_PORT', '65536'],
    ['LOCKSTEP_EVENTBRIDGE_PORT', '-1'],
    ['LOCKSTEP_COOLDOWN_SECONDS', '99999999999'],
    ['LOCKSTEP_BACKOFF_MAX_SECONDS', '1e12'],
    ['LOCKSTEP_MAX_CONSECUTIVE_FAILURES', '1000000'],
    ['LOCKSTEP_COOLDOWN_SECONDS', '1.5'],
    ['LOCKSTEP_COOLDOWN_SECONDS', '1e2'],
    ['PORT', '0x10'],
    ['LOCKSTEP_SWEEP_INTERVAL_SECONDS', ' 60'],
  ])('refuses %s=%s at start, naming the variable', (name, value) => {
    expect(() => readLocalConfig({ [name]: value })).toThrow(ConfigurationError);
    expect(() => readLocalConfig({ [name]: value })).toThrow(name);
  });

  it('refuses a backoff base above its max, naming both', () => {
    expect(() => readLocalConfig({ LOCKSTEP_BACKOFF_BASE_SECONDS: '700' })).toThrow(
      /LOCKSTEP_BACKOFF_BASE_SECONDS.*LOCKSTEP_BACKOFF_MAX_SECONDS|LOCKSTEP_BACKOFF_MAX_SECONDS.*LOCKSTEP_BACKOFF_BASE_SECONDS/,
    );
    expect(readLocalConfig({ LOCKSTEP_BACKOFF_BASE_SECONDS: '600' }).policy.backoffBaseSeconds).toBe(600);
  });

  it('reads the Step Functions and EventBridge ports, PORT+1 and PORT+2 by default, 0 for any free port', () => {
    expect(readLocalConfig({ PORT: '4000' })).toMatchObject({ stepFunctionsPort: 4001, eventBridgePort: 4002 });
    expect(
      readLocalConfig({ PORT: '4000', LOCKSTEP_STEPFUNCTIONS_PORT: '0', LOCKSTEP_EVENTBRIDGE_PORT: '5000' }),
    ).toMatchObject({ stepFunctionsPort: 0, eventBridgePort: 5000 });
  });
});

describe('Lambda settings', () => {
  const env = {
    AWS_REGION: 'eu-west-1',
    TABLE_NAME: 'lockstep',
    IDEMPOTENCY_TABLE_NAME: 'lockstep-idem',
    EVENT_BUS_NAME: 'lockstep',
    STATE_MACHINE_ARNS: '{"lockstep-noop-v1":"arn:aws:states:eu-west-1:1:stateMachine:lockstep-noop-v1"}',
  };

  it('reads the environment the CDK app sets', () => {
    expect(readLambdaSettings(env)).toMatchObject({
      region: 'eu-west-1',
      stateMachineArns: { 'lockstep-noop-v1': expect.stringContaining('stateMachine') },
      policy: { cooldownSeconds: 300 },
    });
  });

  it('refuses a backoff base above its max on Lambda too', () => {
    expect(() =>
      readLambdaSettings({ ...env, LOCKSTEP_BACKOFF_BASE_SECONDS: '900', LOCKSTEP_BACKOFF_MAX_SECONDS: '600' }),
    ).toThrow(/LOCKSTEP_BACKOFF_BASE_SECONDS/);
  });

  it('refuses a malformed STATE_MACHINE_ARNS', () => {
    expect(() => readLambdaSettings({ ...env, STATE_MACHINE_ARNS: '[' })).toThrow(/STATE_MACHINE_ARNS/);
  });
});

describe('what the CDK app writes, the functions read back', () => {
  const name = fc.string({ minLength: 3, maxLength: 40 }).filter((s) => s.trim() === s && s.length >= 3);
  const arn = fc.stringMatching(/^arn:[a-z0-9:/_-]{1,60}$/);
  const bounded = (key: keyof typeof POLICY_BOUNDS) =>
    fc.integer({ min: POLICY_BOUNDS[key][0], max: POLICY_BOUNDS[key][1] });
  const policy = fc
    .record({
      cooldownSeconds: bounded('cooldownSeconds'),
      backoffBaseSeconds: bounded('backoffBaseSeconds'),
      backoffMaxSeconds: bounded('backoffMaxSeconds'),
      maxConsecutiveFailures: bounded('maxConsecutiveFailures'),
    })
    .filter((p) => p.backoffBaseSeconds <= p.backoffMaxSeconds);
  const settings = fc.record(
    {
      tableName: name,
      idempotencyTableName: name,
      // State machine names are letters, digits, `-` and `_` (Step Functions' rule).
      stateMachineArns: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_-]{1,80}$/), arn),
      policy,
      deadlineSchedules: fc.record({ groupName: name, targetArn: arn, roleArn: arn }),
      intermediaries: fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 5 }),
    },
    { requiredKeys: ['tableName', 'stateMachineArns', 'policy'] },
  );

  it('an engine function: table, idempotency table, state machines, policy and deadline schedules', () => {
    fc.assert(
      fc.property(settings, (written) => {
        const read = readLambdaSettings({ ...engineFunctionEnvironment(written), AWS_REGION: 'eu-west-1' });
        expect(read).toEqual({ region: 'eu-west-1', ...written, policy: { ...DEFAULT_POLICY, ...written.policy } });
      }),
    );
  });

  it('the deploy-time workflow versions check, and the outbox publisher', () => {
    fc.assert(
      fc.property(name, name, (tableName, eventBusName) => {
        expect(
          readWorkflowVersionsSettings({ ...workflowVersionsEnvironment({ tableName }), AWS_REGION: 'eu-west-1' }),
        ).toEqual({ region: 'eu-west-1', tableName });
        expect(readPublisherSettings(publisherEnvironment({ eventBusName }))).toEqual({ eventBusName });
      }),
    );
  });

  it('writes no variable the contract does not name', () => {
    const written = {
      ...engineFunctionEnvironment({
        tableName: 'lockstep',
        idempotencyTableName: 'lockstep-idempotency',
        stateMachineArns: {},
        policy: DEFAULT_POLICY,
        deadlineSchedules: { groupName: 'g', targetArn: 'arn:bus', roleArn: 'arn:role' },
      }),
      ...publisherEnvironment({ eventBusName: 'lockstep' }),
      ...engineRuntimeEnvironment(),
    };
    const named: string[] = Object.values(ENVIRONMENT);
    for (const variable of Object.keys(written)) expect(named).toContain(variable);
  });

  it('refuses intermediaries that are not a JSON array of patterns, naming the variable', () => {
    const env = { ...engineFunctionEnvironment({ tableName: 't', stateMachineArns: {}, policy: DEFAULT_POLICY }) };
    for (const bad of ['arn:aws:iam::1:role/bot', '{}', '[1]', '[""]', '['])
      expect(() => readLambdaSettings({ ...env, AWS_REGION: 'eu-west-1', [ENVIRONMENT.intermediaries]: bad })).toThrow(
        /LOCKSTEP_INTERMEDIARIES.*JSON array of IAM principal ARN patterns/,
      );
  });

  it('refuses a publisher without its bus, naming the variable', () => {
    expect(() => readPublisherSettings({})).toThrow(ConfigurationError);
    expect(() => readPublisherSettings({ EVENT_BUS_NAME: '' })).toThrow(/EVENT_BUS_NAME/);
  });
});
