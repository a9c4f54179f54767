import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown when configuration is invalid; its message lists every problem with its path. */
export class ConfigurationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is invalid: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Turns plain data into a validated instance of `dto`, applying the DTO's defaults, or throws a
 * ConfigurationError naming every problem (`clients[2].allowedScopes: ...`). Unknown properties
 * are errors (a typo must not pass silently) unless `allowUnknownProperties`, as for the
 * environment, where they are dropped.
 */
export function validateWith<T extends object>(
  dto: ClassConstructor<T>,
  plain: unknown,
  source: string,
  { allowUnknownProperties = false } = {},
): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new ConfigurationError(source, ['must be a JSON object']);
  }
  const instance = plainToInstance(dto, plain, { exposeDefaultValues: true });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: !allowUnknownProperties,
    forbidUnknownValues: true,
    // One message per field: the first rule it breaks (decorators apply bottom-up, so the
    // type check sits next to the property).
    stopAtFirstError: true,
  });
  if (errors.length > 0) throw new ConfigurationError(source, describeErrors(errors));
  return instance;
}

/** Environment variables set to an empty string count as unset, so the defaults apply. */
export function definedEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => !!entry[1]),
  );
}

/** One validation problem: where (`clients[2].allowedScopes[0]`) and what is wrong. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export function describeErrors(errors: readonly ValidationError[], parent = ''): string[] {
  return validationIssues(errors, parent).map(({ path, message }) =>
    path ? `${path}: ${message}` : message,
  );
}

/** class-validator's error tree, flattened to one issue per broken rule, each with its path. */
export function validationIssues(
  errors: readonly ValidationError[],
  parent = '',
): ValidationIssue[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      path,
      message: withoutPropertyName(message, error.property),
    }));
    return [...own, ...validationIssues(error.children ?? [], path)];
  });
}

/** class-validator messages start with the property name, which the path already shows. */
function withoutPropertyName(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
