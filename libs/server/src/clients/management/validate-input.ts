import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validationIssues, type ValidationIssue } from '@nest-identity/shared';
import { InvalidClientInput } from './client-management.errors';

/**
 * What a caller sent (a JSON body, the CLI's options), read into a DTO with its defaults, and
 * every problem found in it so far. The DTO's rules come first; checks that need the stores or
 * the settings add theirs, on the fields the DTO found valid, so one answer lists every problem
 * (as the configuration file's start-up error does).
 */
export class CheckedInput<T> {
  constructor(
    readonly value: T,
    private readonly issues: ValidationIssue[],
  ) {}

  /** Whether `field` (a top-level property) broke none of the DTO's rules. */
  isValid(field: string): boolean {
    return !this.issues.some(
      ({ path }) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`),
    );
  }

  add(...issues: readonly ValidationIssue[]): void {
    this.issues.push(...issues);
  }

  /** The validated value, or InvalidClientInput listing every problem with its path. */
  orThrow(): T {
    if (this.issues.length > 0) throw new InvalidClientInput(this.issues);
    return this.value;
  }
}

/**
 * Reads `input` into `dto` and checks the DTO's rules, one problem per field. Unknown properties
 * are refused, so a misspelt field is never silently ignored. Input that is not an object at all
 * is refused at once: there is nothing else to check.
 */
export function readInput<T extends object>(
  dto: ClassConstructor<T>,
  input: unknown,
): CheckedInput<T> {
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
  return new CheckedInput(instance, validationIssues(errors));
}
