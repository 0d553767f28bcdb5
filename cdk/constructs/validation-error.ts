import { ValidationError } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * aws-cdk-lib's own error for props or calls a construct refuses: the CDK prints it with the
 * construct's path, and `Errors.isValidationError` (the public check) recognizes it.
 *
 * `ValidationError` is exported from aws-cdk-lib's root (2.276 and since 2.17x), but marked
 * `@internal` there (no jsii binding) and its first argument, a name, is a `LiteralString` that
 * only a private tag (`lit`) makes; hence the cast. (`UnscopedValidationError` is for errors with no
 * construct; every error Lockstep's constructs throw has one.) The construct tests check `Errors.isValidationError`, so an
 * aws-cdk-lib that changed the class would fail them rather than Lockstep's users.
 */
export function validationError(name: string, message: string, scope: IConstruct): ValidationError {
  return new ValidationError(name as ConstructorParameters<typeof ValidationError>[0], message, scope);
}
