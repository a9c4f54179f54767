import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validationIssues } from '@app/shared';
import { InvalidClientInput } from './client-management.errors';

/**
 * Turns what a caller sent (a JSON body, the CLI's options) into a validated instance of `dto`
 * with its defaults, or throws InvalidClientInput listing every problem with its path. Unknown
 * properties are refused, so a misspelt field is never silently ignored.
 */
export function validateInput<T extends object>(dto: ClassConstructor<T>, input: unknown): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidClientInput([{ path: '', message: 'must be a JSON object' }]);
  }
  const instance = plainToInstance(dto, input, { exposeDefaultValues: true });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) throw new InvalidClientInput(validationIssues(errors));
  return instance;
}
