import { clientIdProblem, ClientIdMaxLength, isClientId } from './client-id';

describe('the client id grammar (RFC 6749 Appendix A.1: *VSCHAR)', () => {
  it.each([
    'client',
    'm2m:client%1',
    'urn:acme:billing',
    'spiffe://example.org/ns/prod/sa/billing',
    'my client',
    'a+b/c=d?e#f&g',
    ` !"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`,
    'x'.repeat(ClientIdMaxLength),
  ])('accepts %j', (id) => {
    expect(clientIdProblem(id)).toBeUndefined();
    expect(isClientId(id)).toBe(true);
  });

  it.each([
    ['the empty id', ''],
    ['a NUL', 'a\u0000b'],
    ['a tab', 'a\tb'],
    ['a line feed', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['a non-ASCII letter', 'café'],
    ['a non-ASCII space', 'a\u00a0b'],
    ['an id too long', 'x'.repeat(ClientIdMaxLength + 1)],
  ])('refuses %s', (_case, id) => {
    expect(clientIdProblem(id)).toBe(
      'must be 1 to 200 printable ASCII characters (RFC 6749 VSCHAR: space to "~"), no control or non-ASCII character',
    );
    expect(isClientId(id)).toBe(false);
  });

  it('refuses what is not a string', () => {
    expect(clientIdProblem(42)).toBe('must be a string');
    expect(isClientId(['client'])).toBe(false);
  });
});
