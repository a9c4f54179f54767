import { ValidateBy, type ValidationOptions } from 'class-validator';
import { parseDuration } from './duration';

const RATE = /^(\d{1,9})\/(\d{1,9}(?:ms|s|m|h|d))$/;

/** A limit of `limit` events in each window of `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

/** `300/1m` → at most 300 in each minute. */
export function parseRate(value: string): Rate {
  const match = RATE.exec(value);
  if (!match) throw new TypeError(`not a rate: ${value}`);
  return { limit: Number(match[1]), windowMs: parseDuration(match[2]) };
}

export function IsRate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRate',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && RATE.test(value) && parseRate(value).limit > 0,
        defaultMessage: () => 'must be a rate such as 300/1m (at least 1 per duration)',
      },
    },
    options,
  );
}
