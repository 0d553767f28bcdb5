// What only a keyed admission uses of Powertools Idempotency: `idempotentAdmission` loads this module on its
// first keyed request, so a function's cold start does not evaluate the layer before a request needs it.
export { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
