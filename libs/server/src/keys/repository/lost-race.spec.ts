import { QueryFailedError } from 'typeorm';
import { isLostRace, LostRace, racing } from './lost-race';

const driverError = (code: string) => Object.assign(new Error(`driver said ${code}`), { code });
const queryFailed = (code: string) =>
  new QueryFailedError('INSERT INTO identity_signing_keys', [], driverError(code));

describe('isLostRace', () => {
  it.each([
    ['PostgreSQL unique violation', '23505'],
    ['PostgreSQL serialisation failure', '40001'],
    ['PostgreSQL deadlock', '40P01'],
    ['SQLite unique constraint', 'SQLITE_CONSTRAINT_UNIQUE'],
    ['SQLite primary-key constraint', 'SQLITE_CONSTRAINT_PRIMARYKEY'],
    ['SQLite busy', 'SQLITE_BUSY'],
    ['SQLite busy snapshot', 'SQLITE_BUSY_SNAPSHOT'],
  ])('is true for a %s (%s), from TypeORM or the driver', (_, code) => {
    expect(isLostRace(queryFailed(code))).toBe(true);
    expect(isLostRace(driverError(code))).toBe(true);
  });

  it.each([
    ['PostgreSQL not-null violation', '23502'],
    ['PostgreSQL connection refused', 'ECONNREFUSED'],
    ['SQLite not-null constraint', 'SQLITE_CONSTRAINT_NOTNULL'],
    ['SQLite read-only database', 'SQLITE_READONLY'],
  ])('is false for a %s (%s): planning again would not help', (_, code) => {
    expect(isLostRace(queryFailed(code))).toBe(false);
    expect(isLostRace(driverError(code))).toBe(false);
  });

  it('is false for errors without a code, and for what is not an error', () => {
    expect(isLostRace(new Error('the signing key k1 is not a PEM private key'))).toBe(false);
    expect(isLostRace(Object.assign(new Error('numeric'), { code: 23505 }))).toBe(false);
    expect(isLostRace(undefined)).toBe(false);
    expect(isLostRace('23505')).toBe(false);
  });
});

describe('racing', () => {
  it('passes the result through', async () => {
    await expect(racing(() => Promise.resolve(3))).resolves.toBe(3);
  });

  it('turns a lost race into LostRace, keeping the message and the cause', async () => {
    const cause = queryFailed('23505');
    const thrown = await racing(() => Promise.reject(cause)).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(LostRace);
    expect(thrown).toEqual(expect.objectContaining({ message: cause.message, cause }));
  });

  it('passes any other error through unchanged', async () => {
    const other = queryFailed('23502');
    await expect(racing(() => Promise.reject(other))).rejects.toBe(other);
  });
});
