import { MalformedJws, readCompactJws, type MalformedJwsReason } from './compact-jws';

const segment = (text: string) => Buffer.from(text).toString('base64url');
const jws = (header: string, payload: string, signature = 'c2ln') =>
  `${segment(header)}.${segment(payload)}.${signature}`;

function reasonFor(token: string, maxLength = 10_000): MalformedJwsReason | undefined {
  try {
    readCompactJws(token, maxLength);
    return undefined;
  } catch (error) {
    if (error instanceof MalformedJws) return error.reason;
    throw error;
  }
}

describe('readCompactJws (RFC 7515 §7.1)', () => {
  it('reads the header, the claims set, the signing input and the signature', () => {
    const token = jws('{"alg":"ES256","kid":"k1"}', '{"sub":"s","n":1}', 'AQID');
    const read = readCompactJws(token, 10_000);
    expect(read.header).toEqual({ alg: 'ES256', kid: 'k1' });
    expect(read.payload).toEqual({ sub: 's', n: 1 });
    expect(read.signingInput.toString()).toBe(token.slice(0, token.lastIndexOf('.')));
    expect([...read.signature]).toEqual([1, 2, 3]);
  });

  it('refuses a token longer than the bound before reading it', () => {
    const token = jws('{"alg":"ES256"}', '{}');
    expect(reasonFor(token, token.length)).toBeUndefined();
    expect(reasonFor(token, token.length - 1)).toBe('too-large');
  });

  it.each([
    ['two segments', `${segment('{"alg":"ES256"}')}.${segment('{}')}`],
    ['four segments', `${jws('{"alg":"ES256"}', '{}')}.x`],
    ['an empty signature (alg none)', `${segment('{"alg":"none"}')}.${segment('{}')}.`],
    ['an empty header', `.${segment('{}')}.c2ln`],
    ['padding', `${segment('{"alg":"ES256"}')}=.${segment('{}')}.c2ln`],
    ['standard base64 characters', `${segment('{"alg":"ES256"}')}.${segment('{}')}.a+b/`],
    ['whitespace', `${segment('{"alg":"ES256"}')}.${segment('{}')}.c2 ln`],
  ])('refuses %s as not compact', (_what, token) => {
    expect(reasonFor(token)).toBe('not-compact');
  });

  it.each([
    ['a header that is not JSON', jws('{alg', '{}')],
    ['a claims set that is not JSON', jws('{"alg":"ES256"}', 'nope')],
    ['a header that is an array', jws('["alg"]', '{}')],
    ['a claims set that is a string', jws('{"alg":"ES256"}', '"claims"')],
    ['a claims set that is null', jws('{"alg":"ES256"}', 'null')],
  ])('refuses %s', (_what, token) => {
    expect(reasonFor(token)).toBe('not-json-object');
  });

  it('refuses a repeated member name in the header or the claims set, escaped or not', () => {
    expect(reasonFor(jws('{"alg":"none","alg":"ES256"}', '{}'))).toBe('repeated-member');
    expect(reasonFor(jws('{"alg":"ES256","\\u0061lg":"none"}', '{}'))).toBe('repeated-member');
    expect(reasonFor(jws('{"alg":"ES256"}', '{"sub":"a","sub":"b"}'))).toBe('repeated-member');
    expect(reasonFor(jws('{"alg":"ES256"}', '{"cnf":{"jkt":"a","jkt":"b"}}'))).toBe(
      'repeated-member',
    );
  });

  it('refuses a header with crit, which asks for extensions nobody here understands', () => {
    expect(reasonFor(jws('{"alg":"ES256","crit":["exp"],"exp":1}', '{}'))).toBe(
      'critical-extension',
    );
    expect(reasonFor(jws('{"alg":"ES256"}', '{"crit":["x"]}'))).toBeUndefined();
  });
});
