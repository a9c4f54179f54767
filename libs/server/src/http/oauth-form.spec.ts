import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from '@nest-identity/shared';
import { FormBody } from './form-body';
import { OAuthForm } from './oauth-form';
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
    const request = { headers: { 'content-type': contentType }, body } as unknown as FastifyRequest;
    expect(() => OAuthForm.from(request)).toThrow(
      new InvalidRequest('the request body must be application/x-www-form-urlencoded'),
    );
  });

  it('accepts the form media type with parameters and in any case', () => {
    const request = {
      headers: { 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8' },
      body: FormBody.parse('grant_type=client_credentials'),
    } as unknown as FastifyRequest;
    expect(OAuthForm.from(request).param('grant_type')).toBe('client_credentials');
  });
});
