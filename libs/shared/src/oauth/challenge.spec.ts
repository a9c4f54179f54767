import { recordChallenge, challengeRecordOf, wwwAuthenticate } from './challenge';
import {
  BearerTokenMissing,
  InsufficientScope,
  InvalidClient,
  InvalidDPoPProof,
  InvalidGrant,
  InvalidToken,
  TemporarilyUnavailable,
} from './oauth-error';

describe('wwwAuthenticate: the challenge of an error, as the client presented itself', () => {
  const dpop = { scheme: 'DPoP', algs: 'ES256 EdDSA' } as const;

  it.each([
    [
      'invalid_token, no record: Bearer',
      new InvalidToken('the token expired'),
      undefined,
      'Bearer error="invalid_token", error_description="the token expired"',
    ],
    [
      'invalid_token with the DPoP scheme',
      new InvalidToken('the token expired'),
      dpop,
      'DPoP error="invalid_token", error_description="the token expired", algs="ES256 EdDSA"',
    ],
    [
      'insufficient_scope, no record',
      new InsufficientScope(['api1', 'api1.write']),
      undefined,
      'Bearer error="insufficient_scope", scope="api1 api1.write"',
    ],
    [
      'insufficient_scope with the DPoP scheme',
      new InsufficientScope(['api1']),
      dpop,
      'DPoP error="insufficient_scope", scope="api1", algs="ES256 EdDSA"',
    ],
    [
      'invalid_dpop_proof at a resource (401)',
      new InvalidDPoPProof('the DPoP proof was used before', 401),
      dpop,
      'DPoP error="invalid_dpop_proof", error_description="the DPoP proof was used before", algs="ES256 EdDSA"',
    ],
    ['no token', new BearerTokenMissing(), undefined, 'Bearer'],
    [
      'no token, DPoP offered too',
      new BearerTokenMissing(),
      { algs: 'ES256' },
      'Bearer, DPoP algs="ES256"',
    ],
    [
      'invalid_client after HTTP Basic',
      new InvalidClient('wrong secret'),
      { scheme: 'Basic', realm: 'https://id.example.com' },
      'Basic realm="https://id.example.com"',
    ],
  ] as const)('%s', (_case, error, record, challenge) => {
    expect(wwwAuthenticate(error, record)).toBe(challenge);
  });

  it.each([
    ["the token endpoint's invalid_dpop_proof (400)", new InvalidDPoPProof('bad proof'), undefined],
    ['invalid_client without HTTP Basic', new InvalidClient('unknown client'), undefined],
    ['invalid_grant', new InvalidGrant('expired code'), dpop],
    ['temporarily_unavailable', new TemporarilyUnavailable('down', 503, 5), dpop],
  ] as const)('none for %s', (_case, error, record) => {
    expect(wwwAuthenticate(error, record)).toBeUndefined();
  });

  it('keeps only the characters RFC 6750 §3 allows inside a quoted value', () => {
    expect(wwwAuthenticate(new InvalidToken('a "quoted"\\ value é\n'), undefined)).toBe(
      'Bearer error="invalid_token", error_description="a quoted value "',
    );
  });

  it('keeps one record per request, for as long as the request lives', () => {
    const request = {};
    expect(challengeRecordOf(request)).toBeUndefined();
    recordChallenge(request, dpop);
    expect(challengeRecordOf(request)).toBe(dpop);
    expect(challengeRecordOf({})).toBeUndefined();
  });
});
