import {
  accessTokenChecks,
  boundKeyOf,
  presentationProblem,
  UnusableBinding,
} from './access-token-checks';
import { firstClaimProblem } from './jwt-claim-checks';

const NOW = 1_700_000_000;
const ISSUER = 'https://id.example.com';
const rules = { issuer: ISSUER, audiences: ['api1'], skewSeconds: 60, maxLifetimeSeconds: 3600 };

const good = {
  iss: ISSUER,
  aud: 'api1',
  exp: NOW + 300,
  iat: NOW,
  jti: 'j',
  sub: 'c',
  client_id: 'c',
};
const problemOf = (
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { typ: 'at+jwt' },
  ruleSet: Parameters<typeof accessTokenChecks>[0] = rules,
) => firstClaimProblem({ header, payload }, accessTokenChecks(ruleSet), NOW);

describe('accessTokenChecks (RFC 9068 §4)', () => {
  it('accepts a token that meets every rule', () => {
    expect(problemOf(good)).toBeUndefined();
    expect(problemOf(good, { typ: 'application/AT+JWT' })).toBeUndefined();
  });

  it.each([
    ['an expired token', { exp: NOW - 61 }, 'the token expired'],
    ['a token not valid yet', { nbf: NOW + 61 }, 'the token is not valid yet'],
    ['another audience', { aud: 'api2' }, 'the token is not valid for this audience'],
    ['another issuer', { iss: 'https://evil.example' }, "the token's issuer is not trusted"],
    ['an infinite exp', { exp: Infinity }, "the token's exp is not a NumericDate"],
    ['no exp', { exp: undefined }, 'the token has no exp'],
    ['no jti', { jti: undefined }, 'the token has no jti'],
    ['an empty client_id', { client_id: '' }, 'the token has no client_id'],
    ['no iat', { iat: undefined }, 'the token has no iat'],
    ['an iat in the future', { iat: NOW + 61 }, 'the token was issued in the future'],
    [
      'a lifetime beyond the bound',
      { iat: NOW - 10, exp: NOW + 3600 },
      "the token's lifetime is longer than this API accepts",
    ],
    ['a malformed cnf', { cnf: 'jkt' }, "the token's cnf is malformed"],
    [
      'an mTLS binding',
      { cnf: { 'x5t#S256': 'x' } },
      'the token is bound by a confirmation method this API does not support',
    ],
    ['an empty cnf.jkt', { cnf: { jkt: '' } }, "the token's cnf.jkt is malformed"],
  ])('refuses %s', (_what, change, problem) => {
    expect(problemOf({ ...good, ...change })).toBe(problem);
  });

  it('refuses a typ other than at+jwt (RFC 9068 §4 item 2)', () => {
    expect(problemOf(good, { typ: 'JWT' })).toBe("the token's typ must be at+jwt");
    expect(problemOf(good, {})).toBe("the token's typ must be at+jwt");
  });

  it('checks the time rules before the others, as every reader reports them the same way', () => {
    expect(problemOf({ ...good, exp: NOW - 100, aud: 'api2' })).toBe('the token expired');
    expect(problemOf({ ...good, aud: 'api2' }, { typ: 'JWT' })).toBe(
      'the token is not valid for this audience',
    );
  });

  it('leaves aud, a lifetime bound and claims not required to the caller when asked', () => {
    const loose = { issuer: ISSUER, skewSeconds: 0, requiredClaims: [] };
    expect(problemOf({ iss: ISSUER, exp: NOW + 10 ** 6, aud: 'x' }, undefined, loose)).toBe(
      undefined,
    );
  });

  it('checks iss and typ only when declared, as for an introspection answer (RFC 7662 §2.2)', () => {
    const answer = { issuer: undefined, checkJwsType: false, audiences: ['api1'], skewSeconds: 60 };
    expect(problemOf({ ...good, iss: undefined }, {}, answer)).toBeUndefined();
    expect(problemOf({ ...good, iss: 'https://evil.example' }, {}, answer)).toBeUndefined();
    expect(problemOf(good, {}, { ...answer, issuer: ISSUER })).toBeUndefined();
    expect(
      problemOf({ ...good, iss: 'https://evil.example' }, {}, { ...answer, issuer: ISSUER }),
    ).toBe("the token's issuer is not trusted");
    expect(problemOf({ ...good, exp: NOW - 61 }, {}, answer)).toBe('the token expired');
  });

  it('gives the bound key of a DPoP-bound token, and refuses to treat a bad cnf as none', () => {
    expect(boundKeyOf({ cnf: { jkt: 'thumb' } })).toBe('thumb');
    expect(boundKeyOf({})).toBeUndefined();
    expect(() => boundKeyOf({ cnf: { 'x5t#S256': 'x' } })).toThrow(UnusableBinding);
  });

  it('lets a bound token in only with DPoP, and DPoP only with a bound token (RFC 9449 §7.1-7.2)', () => {
    expect(presentationProblem('Bearer', undefined)).toBeUndefined();
    expect(presentationProblem('DPoP', 'thumb')).toBeUndefined();
    expect(presentationProblem('Bearer', 'thumb')).toBe(
      'the token is DPoP-bound: send it with the DPoP scheme and a proof',
    );
    expect(presentationProblem('DPoP', undefined)).toBe('the token is not DPoP-bound');
  });
});
