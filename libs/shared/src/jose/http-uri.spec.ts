import { normalizedHtu } from './http-uri';

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
