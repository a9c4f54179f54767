import { IdentityConfigFile, validateWith } from '@nest-identity/shared';
import { environmentSecretProblems, secretOf } from './environment-secrets';
import { sha256 } from './secret-hash';

const config = (secret: object) =>
  validateWith(
    IdentityConfigFile,
    {
      apiScopes: [{ name: 'api1' }],
      clients: [{ clientId: 'hmac', clientSecrets: [secret], allowedScopes: ['api1'] }],
    },
    'identity.json',
  );

describe('secrets named by environment variable (client_secret_jwt)', () => {
  const secret = 'a-secret-of-at-least-thirty-two-bytes!';

  it('reads the secret: its hash authenticates as any secret, the value keys the HMAC', () => {
    const read = secretOf(config({ environmentVariable: 'HMAC' }).clients[0].clientSecrets[0], {
      HMAC: secret,
    });
    expect(read.hmacKey?.toString('utf8')).toBe(secret);
    expect(read.sha256.equals(sha256(secret))).toBe(true);
  });

  it('names the path and the fix when the variable is unset or too short', () => {
    const file = config({ environmentVariable: 'HMAC' });
    expect(environmentSecretProblems(file, {})).toEqual([
      "clients[0].clientSecrets[0].environmentVariable: HMAC is not set (fix: set HMAC in the identity's environment to the client's secret)",
    ]);
    expect(environmentSecretProblems(file, { HMAC: 'short' })[0]).toMatch(
      /HMAC holds fewer than 32 bytes \(fix: /,
    );
    expect(environmentSecretProblems(file, { HMAC: secret })).toEqual([]);
  });

  it('refuses a variable name that is not one, and still checks a hashed value', () => {
    expect(() => config({ environmentVariable: 'NOT A NAME' })).toThrow(
      /clientSecrets\[0\]\.environmentVariable: must be the name of an environment variable/,
    );
    expect(() => config({ value: 'plain-text-secret' })).toThrow(/base64\(SHA-256\(secret\)\)/);
    expect(() => config({})).toThrow(/base64\(SHA-256\(secret\)\)/);
  });
});
