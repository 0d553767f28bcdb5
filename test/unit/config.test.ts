import { describe, expect, it } from 'vitest';
import { ConfigurationError, readLambdaSettings, readLocalConfig } from '../../lib/config.js';

describe('local configuration (API.md)', () => {
  it('has the documented defaults', () => {
    expect(readLocalConfig({})).toEqual({
      port: 3000,
      policy: { cooldownSeconds: 300, backoffBaseSeconds: 60, backoffMaxSeconds: 600, maxConsecutiveFailures: 5, executionTimeoutSeconds: 3600, startGraceSeconds: 30 },
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
});

describe('Lambda settings', () => {
  const env = { AWS_REGION: 'eu-west-1', TABLE_NAME: 'lockstep', IDEMPOTENCY_TABLE_NAME: 'lockstep-idem', EVENT_BUS_NAME: 'lockstep', STATE_MACHINE_ARNS: '{"lockstep-noop-v1":"arn:aws:states:eu-west-1:1:stateMachine:lockstep-noop-v1"}' };

  it('reads the environment the CDK app sets', () => {
    expect(readLambdaSettings(env)).toMatchObject({ region: 'eu-west-1', stateMachineArns: { 'lockstep-noop-v1': expect.stringContaining('stateMachine') }, policy: { cooldownSeconds: 300 } });
  });

  it('refuses a malformed STATE_MACHINE_ARNS', () => {
    expect(() => readLambdaSettings({ ...env, STATE_MACHINE_ARNS: '[' })).toThrow(/STATE_MACHINE_ARNS/);
  });
});
