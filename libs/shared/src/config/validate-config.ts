import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

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
  if (errors.length > 0) {
    throw new ConfigurationError(source, describeErrors(withUnknownPropertyFixes(errors)));
  }
  return instance;
}

/**
 * class-validator says only "property X should not exist"; a typo deserves its likely
 * correction, taken from the properties the object's class does declare.
 */
function withUnknownPropertyFixes(errors: ValidationError[]): ValidationError[] {
  for (const error of errors) {
    withUnknownPropertyFixes(error.children ?? []);
    if (!error.constraints?.whitelistValidation || !error.target) continue;
    const known = declaredProperties(error.target.constructor);
    const likely = known.find((name) => looksLike(name, error.property));
    error.constraints.whitelistValidation = likely
      ? `is not a known property (fix: did you mean "${likely}"?)`
      : `is not a known property (fix: remove it; known here: ${known.join(', ')})`;
  }
  return errors;
}

function declaredProperties(target: object): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    target as () => void,
    '',
    true,
    false,
  );
  return [...new Set(metadata.map((entry) => entry.propertyName))].filter(
    (name) => !name.startsWith('$'),
  );
}

/** Same name but for case, or at most two letters added, removed or changed (Levenshtein). */
function looksLike(known: string, typed: string): boolean {
  if (known.toLowerCase() === typed.toLowerCase()) return true;
  let previous = Array.from({ length: typed.length + 1 }, (_, j) => j);
  for (let i = 1; i <= known.length; i++) {
    const current = [i];
    for (let j = 1; j <= typed.length; j++) {
      const substitution = previous[j - 1] + (known[i - 1] === typed[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[typed.length] <= 2;
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
