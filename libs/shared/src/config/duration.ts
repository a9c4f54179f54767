import { ValidateBy, type ValidationOptions } from 'class-validator';

const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90d`, `14d`, `12h`, `30m`, `45s`, `500ms` → milliseconds. */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new TypeError(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export function IsDuration(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDuration',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && DURATION.test(value),
        defaultMessage: () => 'must be a duration such as 90d, 12h, 30m, 45s or 500ms',
      },
    },
    options,
  );
}
