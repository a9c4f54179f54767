import { QueryFailedError } from 'typeorm';

/**
 * A signing-key write that lost a race to another replica (or, on SQLite, another process): the
 * caller re-reads the keys and plans again. Thrown by SigningKeyRepository instead of the driver's
 * error, so no other code reads SQL error codes.
 */
export class LostRace extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'LostRace';
  }
}

/**
 * A unique violation (another replica inserted this generation or kid first), or a write that
 * met another's lock: PostgreSQL unique violation (23505), serialisation failure (40001) or
 * deadlock (40P01); SQLite unique or primary-key constraint, or busy.
 */
export function isLostRace(error: unknown): boolean {
  const cause: unknown = error instanceof QueryFailedError ? error.driverError : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return (
    typeof code === 'string' &&
    (['23505', '40001', '40P01'].includes(code) ||
      code.startsWith('SQLITE_CONSTRAINT_UNIQUE') ||
      code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
      code.startsWith('SQLITE_BUSY'))
  );
}

/** Runs `operation`, turning a lost race into LostRace; any other error passes unchanged. */
export async function racing<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw isLostRace(error) ? new LostRace(error) : error;
  }
}
