import { InvalidToken } from '@app/shared';
import { assertWellFormedJws } from './token-structure';

const part = (json: string) => Buffer.from(json).toString('base64url');
const header = '{"alg":"RS256","typ":"at+jwt","kid":"k"}';
const payload = '{"iss":"https://id.example.com","aud":"api1","exp":2000000000}';
const token = (h = header, p = payload) => `${part(h)}.${part(p)}.c2lnbmF0dXJl`;

describe('assertWellFormedJws', () => {
  it('accepts a compact JWS with JSON object parts', () => {
    expect(() => assertWellFormedJws(token())).not.toThrow();
  });

  it.each([
    ['two parts', `${part(header)}.${part(payload)}`],
    ['four parts', `${token()}.more`],
    ['a header that is not JSON', token('{"alg":')],
    ['a payload that is not JSON', token(header, 'not json')],
    ['a header that is an array', token('["RS256"]')],
    ['a payload that is a string', token(header, '"claims"')],
    ['a payload that is null', token(header, 'null')],
  ])('refuses %s as malformed', (_case, malformed) => {
    expect(() => assertWellFormedJws(malformed)).toThrow(
      new InvalidToken('the token is malformed'),
    );
  });

  describe('crit (RFC 7515 §4.1.11): this API understands no extension', () => {
    it.each([
      ['crit naming an unknown extension', '{"alg":"RS256","crit":["urn:x"],"urn:x":1}'],
      ['crit naming a present member', '{"alg":"RS256","crit":["b64"],"b64":true}'],
      ['crit empty', '{"alg":"RS256","crit":[]}'],
      ['crit not an array', '{"alg":"RS256","crit":"exp"}'],
      ['crit null', '{"alg":"RS256","crit":null}'],
    ])('refuses %s', (_case, critical) => {
      expect(() => assertWellFormedJws(token(critical))).toThrow(
        new InvalidToken('the token requires JWS extensions (crit) this API does not support'),
      );
    });

    it('accepts crit as a claim: only the header has the meaning', () => {
      expect(() =>
        assertWellFormedJws(token(header, '{"crit":["x"],"exp":2000000000}')),
      ).not.toThrow();
    });
  });

  describe('repeated JSON member names (RFC 7515 §4, RFC 7519 §4)', () => {
    const repeats = new InvalidToken('the token repeats a JSON member name');

    it.each([
      '{"alg":"none","typ":"at+jwt","kid":"k","alg":"RS256"}',
      '{"alg":"RS256","kid":"other","kid":"k"}',
      '{"alg":"RS256","typ":"JWT","\\u0074yp":"at+jwt"}',
    ])('refuses the header %s', (repeated) => {
      expect(() => assertWellFormedJws(token(repeated))).toThrow(repeats);
    });

    it.each([
      '{"aud":"api2","aud":"api1","exp":2000000000}',
      '{"iss":"https://evil.example","iss":"https://id.example.com","exp":2000000000}',
      '{"exp":1,"exp":2000000000}',
    ])('refuses the claims %s', (repeated) => {
      expect(() => assertWellFormedJws(token(header, repeated))).toThrow(repeats);
    });
  });

  it('never echoes the token in its description', () => {
    const marker = '<script>alert(1)</script>';
    for (const bad of [
      token(`{"alg":"RS256","crit":["${marker}"]}`),
      token(`{"alg":"RS256","${marker}":1,"${marker}":2}`),
      `${marker}.${marker}`,
    ]) {
      try {
        assertWellFormedJws(bad);
        throw new Error('accepted');
      } catch (error) {
        expect((error as InvalidToken).description).not.toContain('script');
      }
    }
  });
});
