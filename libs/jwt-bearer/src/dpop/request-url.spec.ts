import { normalizedHtu, requestUrl } from './request-url';

describe('requestUrl', () => {
  it("is the request's protocol, Host and path, without the query", () => {
    expect(
      requestUrl({ protocol: 'https', host: 'api.example.com:8443', url: '/a/b?x=1' }, undefined),
    ).toBe('https://api.example.com:8443/a/b');
  });

  it('reads the Host header when the framework has no host property', () => {
    expect(requestUrl({ url: '/a', headers: { host: 'h' } }, undefined)).toBe('http://h/a');
  });

  it('is publicUrl and the path when the API knows its external URL', () => {
    expect(
      requestUrl(
        { protocol: 'http', host: 'internal:5003', url: '/a?x' },
        'https://api.example.com/w',
      ),
    ).toBe('https://api.example.com/w/a');
  });

  it('is undefined without a Host', () => {
    expect(requestUrl({ url: '/a', headers: {} }, undefined)).toBeUndefined();
  });
});

describe('normalizedHtu (RFC 9449 §4.3, RFC 3986 §6.2.2-6.2.3)', () => {
  it.each([
    ['HTTPS://API.Example.COM/a', 'https://api.example.com/a'],
    ['https://api.example.com:443/a', 'https://api.example.com/a'],
    ['https://api.example.com/a?q=1#f', 'https://api.example.com/a'],
    ['https://api.example.com/x/../a', 'https://api.example.com/a'],
    ['https://api.example.com/%61', 'https://api.example.com/a'],
    ['https://api.example.com/%2f', 'https://api.example.com/%2F'],
  ])('%s → %s', (url, expected) => {
    expect(normalizedHtu(url)).toBe(expected);
  });

  it.each(['/relative', 'ftp://api.example.com/a', 'not a url'])('%s is not an htu', (url) => {
    expect(normalizedHtu(url)).toBeUndefined();
  });
});
