import { InvalidRequest } from '@nest-identity/shared';
import { FormBody } from './form-body';
import { OAuthForm, readFormBody, type OAuthHttpRequest } from './oauth-form';
import { oauthForm } from './oauth-form.fixture';

describe('OAuthForm', () => {
  it('reads single parameters, decoding the form encoding', () => {
    const request = oauthForm('grant_type=client_credentials&scope=api1+api2&x=%2B%26');
    expect(request.param('grant_type')).toBe('client_credentials');
    expect(request.param('scope')).toBe('api1 api2');
    expect(request.param('x')).toBe('+&');
  });

  it('treats a parameter without a value as omitted (RFC 6749 §3.1)', () => {
    expect(oauthForm('scope=&grant_type=client_credentials').param('scope')).toBeUndefined();
    expect(oauthForm('grant_type=client_credentials').param('scope')).toBeUndefined();
  });

  it('refuses a repeated parameter (RFC 6749 §3.2), even a repeated empty one', () => {
    expect(() => oauthForm('scope=a&grant_type=x&scope=b')).toThrow(
      new InvalidRequest('the parameter scope is repeated'),
    );
    expect(() => oauthForm('scope=&scope=')).toThrow(InvalidRequest);
  });

  it('lets resource repeat (RFC 8707 §2), up to the limit, and skips empty values', () => {
    const request = oauthForm('resource=https%3A%2F%2Fa&resource=&resource=urn%3Ab&scope=x');
    expect(request.params('resource')).toEqual(['https://a', 'urn:b']);
    expect(request.params('scope')).toEqual(['x']);
    expect(() => oauthForm(Array(11).fill('resource=urn%3Aa').join('&'))).toThrow(
      new InvalidRequest('the parameter resource is repeated more than 10 times'),
    );
  });

  it('does not echo a strange parameter name', () => {
    expect(() => oauthForm('%3Cscript%3E=1&%3Cscript%3E=2')).toThrow(
      new InvalidRequest('a parameter is repeated'),
    );
  });

  it.each([
    ['application/json', Buffer.from('{}')],
    ['text/plain', Buffer.from('grant_type=client_credentials')],
    [undefined, Buffer.from('grant_type=client_credentials')],
    ['application/x-www-form-urlencoded', undefined],
  ])('refuses a body of type %s that is not a parsed form', (contentType, body) => {
    const request = {
      headers: { 'content-type': contentType },
      body,
    } as unknown as OAuthHttpRequest;
    expect(() => OAuthForm.from(request)).toThrow(
      new InvalidRequest('the request body must be application/x-www-form-urlencoded'),
    );
  });

  it('accepts the form media type with parameters and in any case', () => {
    const request = {
      headers: { 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8' },
      body: FormBody.parse('grant_type=client_credentials'),
    } as unknown as OAuthHttpRequest;
    expect(OAuthForm.from(request).param('grant_type')).toBe('client_credentials');
  });
});

/** A form as a host app's body parser hands it on: Express's body-parser (qs), Nest's on Fastify. */
function hostParsed(body: unknown, authorization?: string): OAuthForm {
  return OAuthForm.from({
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body,
    ip: '192.0.2.1',
  });
}

describe('OAuthForm on a form a host app parsed', () => {
  it('reads a string as one value, and the address the adapter read', () => {
    const request = hostParsed({ grant_type: 'client_credentials', scope: 'api1 api2' });
    expect(request.param('grant_type')).toBe('client_credentials');
    expect(request.param('scope')).toBe('api1 api2');
    expect(request.address).toBe('192.0.2.1');
  });

  it('reads an array of strings as a repeated parameter, refused but for resource', () => {
    expect(() => hostParsed({ scope: ['a', 'b'], grant_type: 'x' })).toThrow(
      new InvalidRequest('the parameter scope is repeated'),
    );
    expect(hostParsed({ resource: ['urn:a', 'urn:b'] }).params('resource')).toEqual([
      'urn:a',
      'urn:b',
    ]);
  });

  it('applies the same limits', () => {
    expect(() => hostParsed({ scope: 'x'.repeat(2001) })).toThrow(
      new InvalidRequest('the parameter scope is longer than 2000 characters'),
    );
    expect(() => hostParsed({ resource: Array<string>(11).fill('urn:a') })).toThrow(
      new InvalidRequest('the parameter resource is repeated more than 10 times'),
    );
    expect(() =>
      hostParsed(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, 'v']))),
    ).toThrow(new InvalidRequest('the request has more than 20 parameters'));
  });

  it.each([
    ['a bracketed name (qs: scope[x]=secret)', { scope: { x: 'secret' } }, 'the parameter scope'],
    ['nested arrays (qs: scope[0][x]=secret)', { scope: [{ x: 'secret' }] }, 'the parameter scope'],
    ['a strange name', { '<b>': { x: 'secret' } }, 'a parameter'],
  ])('refuses %s as malformed, naming the parameter but never its value', (_case, body, what) => {
    expect(() => hostParsed(body)).toThrow(new InvalidRequest(`${what} is malformed`));
  });

  it("reads fast-querystring's object (Nest on Fastify), whose prototype has a null prototype", () => {
    function Empty() {}
    Empty.prototype = Object.create(null) as object;
    const body = Object.assign(Object.create(Empty.prototype) as object, {
      grant_type: 'client_credentials',
    });
    expect(hostParsed(body).param('grant_type')).toBe('client_credentials');
    const bare = Object.assign(Object.create(null) as object, { grant_type: 'x' });
    expect(hostParsed(bare).param('grant_type')).toBe('x');
  });

  it('is no form for bytes or text, whatever the media type says', () => {
    expect(readFormBody(Buffer.from('grant_type=x'))).toBeUndefined();
    expect(readFormBody('grant_type=x')).toBeUndefined();
    expect(readFormBody(undefined)).toBeUndefined();
    expect(readFormBody(null)).toBeUndefined();
    expect(readFormBody(['grant_type'])).toBeUndefined();
  });

  it("reads the same parameters as the identity's own parser", () => {
    const own = readFormBody(FormBody.parse('a=1&b=2&b=3'))!;
    const host = readFormBody({ a: '1', b: ['2', '3'] })!;
    expect([...host.names()].map((name) => [name, host.all(name)])).toEqual(
      [...own.names()].map((name) => [name, own.all(name)]),
    );
  });
});
