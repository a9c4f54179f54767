import { requestUrl } from './request-url';

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
