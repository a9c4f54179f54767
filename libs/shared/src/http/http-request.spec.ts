import { headerValues, requestPath, requestUrl } from './http-request';

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

describe('requestPath', () => {
  it("prefers Express's originalUrl, the path the client sent, to a router's url", () => {
    expect(requestPath({ url: '/b?x', originalUrl: '/a/b?x' })).toBe('/a/b');
  });
});

describe('headerValues', () => {
  it("reads every value of a header from Fastify's raw request", () => {
    expect(
      headerValues({ raw: { rawHeaders: ['DPoP', 'a', 'Host', 'h', 'dpop', 'b'] } }, 'dpop'),
    ).toEqual(['a', 'b']);
  });

  it("reads them from Express's request, Node's own", () => {
    expect(headerValues({ rawHeaders: ['DPoP', 'a', 'dpop', 'b'] }, 'dpop')).toEqual(['a', 'b']);
  });

  it('is empty when the header is absent', () => {
    expect(headerValues({ rawHeaders: ['Host', 'h'] }, 'dpop')).toEqual([]);
  });
});
