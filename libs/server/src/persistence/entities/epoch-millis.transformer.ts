import type { ValueTransformer } from 'typeorm';

/**
 * Instants are stored as epoch milliseconds in a `bigint` column, the one representation both
 * SQLite and PostgreSQL compare and sort natively. `pg` returns bigint as a string.
 */
export const epochMillis: ValueTransformer = {
  to: (value: Date | null | undefined) => (value == null ? value : value.getTime()),
  from: (value: string | number | null) => (value == null ? undefined : new Date(Number(value))),
};

/** JSON in a `text` column, for small lists that are always read whole. */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => JSON.stringify(value),
  from: (value: string) => JSON.parse(value) as unknown,
};

/** As jsonText, for a column that may be NULL. */
export const nullableJsonText: ValueTransformer = {
  to: (value: unknown) => (value == null ? null : JSON.stringify(value)),
  from: (value: string | null) => (value == null ? null : (JSON.parse(value) as unknown)),
};
