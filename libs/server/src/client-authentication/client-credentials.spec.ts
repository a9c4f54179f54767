import { InvalidRequest } from '@nest-identity/shared';
import { basic, oauthForm } from '../http/oauth-form.fixture';
import { readPresentedCredentials } from './client-credentials';

describe('readPresentedCredentials', () => {
  it('reads client_secret_basic, form-decoding id and secret (RFC 6749 §2.3.1)', () => {
    const request = oauthForm('grant_type=client_credentials', basic('svc a+b%', 'p@ss:w rd+/='));
    expect(readPresentedCredentials(request)).toEqual({
      method: 'client_secret_basic',
      clientId: 'svc a+b%',
      clientSecret: 'p@ss:w rd+/=',
    });
  });

  // RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded before base64, so
  // '+' is a space and every %XX an octet; ':' inside either is always encoded.
  const id = 'm2m:svc/a b+c%1';
  const secret = 'p:a/s s+w%1rd';

  it('reads a VSCHAR id and a secret with ":", "/", "%", "+" and a space from Basic', () => {
    const header = `Basic ${Buffer.from('m2m%3Asvc%2Fa+b%2Bc%251:p%3Aa%2Fs+s%2Bw%251rd').toString('base64')}`;
    expect(header).toBe(basic(id, secret));
    expect(readPresentedCredentials(oauthForm('', header))).toEqual({
      method: 'client_secret_basic',
      clientId: id,
      clientSecret: secret,
    });
  });

  it('reads the same id and secret from client_secret_post', () => {
    const form = new URLSearchParams({ client_id: id, client_secret: secret }).toString();
    expect(form).toBe('client_id=m2m%3Asvc%2Fa+b%2Bc%251&client_secret=p%3Aa%2Fs+s%2Bw%251rd');
    expect(readPresentedCredentials(oauthForm(form))).toEqual({
      method: 'client_secret_post',
      clientId: id,
      clientSecret: secret,
    });
  });

  it('reads an unencoded "+" in Basic as a space, as form decoding does', () => {
    const header = `Basic ${Buffer.from('a+b:c+d').toString('base64')}`;
    expect(readPresentedCredentials(oauthForm('', header))).toMatchObject({
      clientId: 'a b',
      clientSecret: 'c d',
    });
  });

  it('accepts the Basic scheme name in any case', () => {
    const header = basic('client', 'secret').replace('Basic', 'bAsIc');
    expect(readPresentedCredentials(oauthForm('', header))?.clientId).toBe('client');
  });

  it('reads client_secret_post', () => {
    expect(readPresentedCredentials(oauthForm('client_id=client&client_secret=s'))).toEqual({
      method: 'client_secret_post',
      clientId: 'client',
      clientSecret: 's',
    });
  });

  it('reads a client id without a secret, for the authenticator to refuse', () => {
    expect(readPresentedCredentials(oauthForm('client_id=client'))?.clientSecret).toBeUndefined();
  });

  it('finds no client authentication in a request without any, or with another scheme', () => {
    expect(readPresentedCredentials(oauthForm('grant_type=client_credentials'))).toBeUndefined();
    expect(readPresentedCredentials(oauthForm('', 'Bearer abc'))).toBeUndefined();
  });

  it('accepts client_id in the body when it matches the Basic one', () => {
    const request = oauthForm('client_id=client', basic('client', 'secret'));
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
    expect(() => readPresentedCredentials(oauthForm(form, authorization))).toThrow(
      new InvalidRequest(description),
    );
  });
});
