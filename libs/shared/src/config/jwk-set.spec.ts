import { generateKeyPairSync } from 'node:crypto';
import { jwksUriProblem, publicJwkSetProblems } from './jwk-set';

const jwkOf = (type: 'rsa' | 'ec' | 'ed25519', kid: string) => {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
        : generateKeyPairSync('ed25519');
  return {
    publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid },
    privateJwk: { ...pair.privateKey.export({ format: 'jwk' }), kid },
  };
};

describe('publicJwkSetProblems', () => {
  const rsa = jwkOf('rsa', 'r');
  const ec = jwkOf('ec', 'e');
  const ed = jwkOf('ed25519', 'd');

  it('accepts public RSA, EC and OKP keys with distinct kids', () => {
    expect(publicJwkSetProblems({ keys: [rsa.publicJwk, ec.publicJwk, ed.publicJwk] })).toEqual([]);
    // One key needs no kid.
    expect(publicJwkSetProblems({ keys: [{ ...ec.publicJwk, kid: undefined }] })).toEqual([]);
  });

  it('refuses a private key, naming the member and the fix, never the value', () => {
    const problems = publicJwkSetProblems({ keys: [ec.publicJwk, rsa.privateJwk] });
    expect(problems).toEqual([
      'keys[1].d: is a private or secret key member (fix: register only the public key, without d, p, q, dp, dq, qi; never share the private key)',
    ]);
    expect(problems.join()).not.toContain(String(rsa.privateJwk.d));
  });

  it.each([
    [
      'a symmetric key',
      { kty: 'oct', k: 'c2VjcmV0', kid: 'x' },
      'keys[0].k: is a private or secret key member',
    ],
    ['an unknown kty', { kty: 'XYZ', kid: 'x' }, 'keys[0]: a key of kty "XYZ" cannot verify'],
    [
      'an unsupported curve',
      { kty: 'EC', crv: 'secp256k1', x: 'a', y: 'b' },
      'keys[0]: a key of kty "EC" and crv "secp256k1"',
    ],
    [
      'an encryption key',
      { ...jwkOf('ec', 'u').publicJwk, use: 'enc' },
      'keys[0].use: must be "sig"',
    ],
    [
      'an alg that does not fit',
      { ...jwkOf('ec', 'a').publicJwk, alg: 'RS256' },
      'keys[0].alg: "RS256" is not an accepted algorithm for this key (fix: one of ES384',
    ],
    [
      'a broken key',
      { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' },
      'keys[0]: is not a valid public key',
    ],
  ])('refuses %s', (_case, jwk, problem) => {
    expect(publicJwkSetProblems({ keys: [jwk] })[0]).toContain(problem);
  });

  it('refuses a short RSA key', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    });
    expect(publicJwkSetProblems({ keys: [small] })).toEqual([
      'keys[0]: the RSA key has 1024 bits (fix: use a key of 2048 bits or more)',
    ]);
  });

  it('refuses a repeated kid, and a key without kid among several', () => {
    expect(publicJwkSetProblems({ keys: [ec.publicJwk, { ...ed.publicJwk, kid: 'e' }] })).toEqual([
      'keys[1].kid: "e" is the kid of another key too (fix: give each key its own kid)',
    ]);
    expect(
      publicJwkSetProblems({ keys: [ec.publicJwk, { ...ed.publicJwk, kid: undefined }] })[0],
    ).toMatch(/^keys\[1\]\.kid: is missing/);
  });

  it('refuses what is not a JWK Set, or an empty one', () => {
    expect(publicJwkSetProblems([])).toEqual([
      'must be a JWK Set, an object {"keys": [...]} (RFC 7517 §5)',
    ]);
    expect(publicJwkSetProblems({ keys: {} })[0]).toMatch(/^keys: must be an array/);
    expect(publicJwkSetProblems({ keys: [] })[0]).toMatch(/^keys: is empty/);
    expect(publicJwkSetProblems({ keys: Array(21).fill(ec.publicJwk) })[0]).toMatch(/more than 20/);
  });
});

describe('jwksUriProblem', () => {
  it('wants https in production, allows http elsewhere', () => {
    expect(jwksUriProblem('https://client.example/jwks', true)).toBeUndefined();
    expect(jwksUriProblem('http://client.example/jwks', false)).toBeUndefined();
    expect(jwksUriProblem('http://client.example/jwks', true)).toMatch(/https URL in production/);
    expect(jwksUriProblem('ftp://client.example/jwks', false)).toMatch(/http\(s\)/);
    expect(jwksUriProblem('https://user:pw@client.example/jwks', true)).toMatch(/credentials/);
    expect(jwksUriProblem('not a url', false)).toMatch(/absolute https URL/);
  });
});
