import { execFileSync } from 'node:child_process';
import { hashSecret, matchesAnySecret, sha256 } from './secret-hash';

describe('secret hashing', () => {
  it('hashes as IdentityServer\'s "secret".Sha256() does (the contract\'s example value)', () => {
    expect(hashSecret('secret')).toBe('K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=');
  });

  it('prints the same hash from `npm run hash-secret`, given as argument or on stdin', () => {
    const script = 'scripts/hash-secret.mjs';
    const secret = 'pä$$ wörd:+/=';
    expect(execFileSync('node', [script, secret], { encoding: 'utf8' }).trim()).toBe(
      hashSecret(secret),
    );
    expect(execFileSync('node', [script], { input: `${secret}\n`, encoding: 'utf8' }).trim()).toBe(
      hashSecret(secret),
    );
  });
});

describe('matchesAnySecret', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const current = { sha256: sha256('new') };
  const expired = { sha256: sha256('old'), expiresAt: new Date('2026-01-01T00:00:00Z') };
  const future = { sha256: sha256('later'), expiresAt: new Date('2027-01-01T00:00:00Z') };

  it('accepts any unexpired secret of the client', () => {
    expect(matchesAnySecret('new', [expired, current, future], now)).toBe(true);
    expect(matchesAnySecret('later', [expired, current, future], now)).toBe(true);
  });

  it('refuses an expired secret, even when it is right', () => {
    expect(matchesAnySecret('old', [expired, current], now)).toBe(false);
  });

  it('refuses a secret expiring at this very instant', () => {
    expect(matchesAnySecret('old', [{ ...expired, expiresAt: now }], now)).toBe(false);
  });

  it('refuses a wrong secret and a client without secrets', () => {
    expect(matchesAnySecret('wrong', [current], now)).toBe(false);
    expect(matchesAnySecret('new', [], now)).toBe(false);
  });
});
