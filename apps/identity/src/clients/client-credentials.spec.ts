import { InvalidRequest } from '@app/shared';
import { basic, tokenRequest } from '../token/token-request.fixture';
import { readPresentedCredentials } from './client-credentials';

describe('readPresentedCredentials', () => {
  it('reads client_secret_basic, form-decoding id and secret (RFC 6749 §2.3.1)', () => {
    const request = tokenRequest(
      'grant_type=client_credentials',
      basic('svc a+b%', 'p@ss:w rd+/='),
    );
    expect(readPresentedCredentials(request)).toEqual({
      method: 'client_secret_basic',
      clientId: 'svc a+b%',
      clientSecret: 'p@ss:w rd+/=',
    });
  });

  it('accepts the Basic scheme name in any case', () => {
    const header = basic('client', 'secret').replace('Basic', 'bAsIc');
    expect(readPresentedCredentials(tokenRequest('', header))?.clientId).toBe('client');
  });

  it('reads client_secret_post', () => {
    expect(readPresentedCredentials(tokenRequest('client_id=client&client_secret=s'))).toEqual({
      method: 'client_secret_post',
      clientId: 'client',
      clientSecret: 's',
    });
  });

  it('reads a client id without a secret, for the authenticator to refuse', () => {
    expect(
      readPresentedCredentials(tokenRequest('client_id=client'))?.clientSecret,
    ).toBeUndefined();
  });

  it('finds no client authentication in a request without any, or with another scheme', () => {
    expect(readPresentedCredentials(tokenRequest('grant_type=client_credentials'))).toBeUndefined();
    expect(readPresentedCredentials(tokenRequest('', 'Bearer abc'))).toBeUndefined();
  });

  it('accepts client_id in the body when it matches the Basic one', () => {
    const request = tokenRequest('client_id=client', basic('client', 'secret'));
    expect(readPresentedCredentials(request)?.method).toBe('client_secret_basic');
  });

  it.each([
    [
      'both methods',
      'client_secret=s',
      basic('client', 'secret'),
      'client authentication must use only one method',
    ],
    [
      'a different client_id in the body',
      'client_id=other',
      basic('client', 'secret'),
      'client_id does not match the Authorization header',
    ],
    ['a secret without an id', 'client_secret=s', undefined, 'client_secret without client_id'],
    ['Basic that is not base64', '', 'Basic !!!!', 'the Basic credentials are not valid base64'],
    ['Basic without a value', '', 'Basic', 'the Basic credentials are not valid base64'],
    [
      'Basic without a colon',
      '',
      `Basic ${Buffer.from('client').toString('base64')}`,
      'the Basic credentials lack a ":" separator',
    ],
    [
      'Basic with bad percent-encoding',
      '',
      `Basic ${Buffer.from('client:%zz').toString('base64')}`,
      'the Basic credentials are not form-urlencoded',
    ],
    [
      'Basic with an empty id',
      '',
      `Basic ${Buffer.from(':secret').toString('base64')}`,
      'the Basic credentials have an empty client id',
    ],
  ])('refuses %s as invalid_request', (_case, form, authorization, description) => {
    expect(() => readPresentedCredentials(tokenRequest(form, authorization))).toThrow(
      new InvalidRequest(description),
    );
  });
});
