import {
  audienceCheck,
  expiryCheck,
  firstClaimProblem,
  issuerCheck,
  notBeforeCheck,
  typeCheck,
} from './jwt-claim-checks';

const NOW = 1_700_000_000;
const claims = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) => ({
  header,
  payload,
});

describe('the named claim checks (RFC 7519 §4.1)', () => {
  const skew = { skewSeconds: 60 };

  it('judges exp and nbf against the clock widened by the one skew, both ways', () => {
    const exp = expiryCheck(skew);
    const nbf = notBeforeCheck(skew);
    expect(exp.problem(claims({ exp: NOW - 59 }), NOW)).toBeUndefined();
    expect(exp.problem(claims({ exp: NOW - 60 }), NOW)).toBe('the token expired');
    expect(nbf.problem(claims({ nbf: NOW + 60 }), NOW)).toBeUndefined();
    expect(nbf.problem(claims({ nbf: NOW + 61 }), NOW)).toBe('the token is not valid yet');
    expect(exp.problem(claims({ exp: '9999999999' }), NOW)).toBe(
      "the token's exp or nbf is not a number",
    );
    expect(nbf.problem(claims({}), NOW)).toBeUndefined();
  });

  it('accepts an audience string or an array naming one accepted value', () => {
    const aud = audienceCheck(['api1']);
    expect(aud.problem(claims({ aud: 'api1' }), NOW)).toBeUndefined();
    expect(aud.problem(claims({ aud: ['other', 'api1'] }), NOW)).toBeUndefined();
    for (const bad of [undefined, 'api2', ['api2'], [1], {}])
      expect(aud.problem(claims({ aud: bad }), NOW)).toBe(
        'the token is not valid for this audience',
      );
  });

  it('wants exactly the issuer, and the typ in any case with or without application/', () => {
    expect(issuerCheck('https://id').problem(claims({ iss: 'https://id/' }), NOW)).toBeDefined();
    const typ = typeCheck('at+jwt', 'bad typ');
    for (const good of ['at+jwt', 'AT+JWT', 'application/at+jwt'])
      expect(typ.problem(claims({}, { typ: good }), NOW)).toBeUndefined();
    for (const bad of [undefined, 'jwt', 'at+jwt ', 1])
      expect(typ.problem(claims({}, { typ: bad }), NOW)).toBe('bad typ');
  });

  it('answers with the first check of the declared list that fails', () => {
    const checks = [expiryCheck(skew), issuerCheck('https://id')];
    expect(firstClaimProblem(claims({ exp: NOW - 100, iss: 'x' }), checks, NOW)).toBe(
      'the token expired',
    );
    expect(firstClaimProblem(claims({ exp: NOW + 100, iss: 'x' }), checks, NOW)).toBe(
      "the token's issuer is not trusted",
    );
    expect(firstClaimProblem(claims({ exp: NOW + 100, iss: 'https://id' }), checks, NOW)).toBe(
      undefined,
    );
  });
});
