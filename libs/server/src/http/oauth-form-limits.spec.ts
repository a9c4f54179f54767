import { InvalidRequest } from '@nest-identity/shared';
import { readPresentedCredentials } from '../client-authentication/client-credentials';
import { OAuthFormLimits } from './oauth-form-limits';
import { basic, oauthForm } from './oauth-form.fixture';

const { maxLengths } = OAuthFormLimits;

function form(parameters: Record<string, string>): string {
  return new URLSearchParams(parameters).toString();
}

describe('OAuthFormLimits', () => {
  it.each(Object.entries(maxLengths))(
    'accepts %s at its limit (%i characters) and refuses one more, without echoing it',
    (name, maxLength) => {
      expect(oauthForm(form({ [name]: 'v'.repeat(maxLength) })).param(name)).toHaveLength(
        maxLength,
      );
      const secretLooking = 'S3cr3t'.repeat(maxLength);
      const tooLong = secretLooking.slice(0, maxLength + 1);
      expect(() => oauthForm(form({ [name]: tooLong }))).toThrow(
        new InvalidRequest(`the parameter ${name} is longer than ${maxLength} characters`),
      );
    },
  );

  it('bounds the length after decoding, so %-encoding does not count against a client', () => {
    const scope = 'é'.repeat(maxLengths.scope);
    expect(oauthForm(form({ scope })).param('scope')).toBe(scope);
  });

  it('bounds any other parameter too', () => {
    const value = 'x'.repeat(OAuthFormLimits.maxOtherLength);
    expect(() => oauthForm(form({ audience: value }))).not.toThrow();
    expect(() => oauthForm(form({ audience: `${value}x` }))).toThrow(
      new InvalidRequest('the parameter audience is longer than 1024 characters'),
    );
  });

  it('names a strange parameter only as "a parameter"', () => {
    const name = '<script>';
    expect(() => oauthForm(form({ [name]: 'x'.repeat(5000) }))).toThrow(
      new InvalidRequest('a parameter is longer than 1024 characters'),
    );
  });

  it('refuses a parameter name longer than 64 characters', () => {
    expect(() => oauthForm(form({ ['n'.repeat(65)]: '1' }))).toThrow(
      new InvalidRequest('a parameter name is longer than 64 characters'),
    );
  });

  it('accepts 20 distinct parameters and refuses 21', () => {
    const names = (count: number) => Array.from({ length: count }, (_, i) => `p${i}=1`).join('&');
    expect(() => oauthForm(names(20))).not.toThrow();
    expect(() => oauthForm(names(21))).toThrow(
      new InvalidRequest('the request has more than 20 parameters'),
    );
  });

  it('is not fooled by empty pairs: thousands of "&" are no parameters at all', () => {
    expect(oauthForm(`${'&'.repeat(16_000)}grant_type=x`).param('grant_type')).toBe('x');
  });

  it.each(['client_id', 'client_secret', 'grant_type', 'scope'])(
    'refuses NUL and other control characters in %s',
    (name) => {
      for (const value of ['a\u0000b', 'a\nb', 'a\u007f']) {
        expect(() => oauthForm(form({ [name]: value }))).toThrow(
          new InvalidRequest(`the parameter ${name} contains a control character`),
        );
      }
    },
  );

  it('handles prototype names, array-style names and malformed encoding as plain names', () => {
    const request = oauthForm(
      '__proto__=1&constructor=2&a[]=3&hasOwnProperty=4&x=%zz%&%E0%A4%A=5&y=%FF',
    );
    expect(request.param('__proto__')).toBe('1');
    expect(request.param('constructor')).toBe('2');
    expect(request.param('a[]')).toBe('3');
    expect(request.param('x')).toBe('%zz%');
    expect(request.param('y')).toBe('\ufffd');
    expect(request.param('toString')).toBeUndefined();
  });

  describe('on the Basic credentials', () => {
    it('refuses a Basic value longer than its limit before decoding it', () => {
      const header = `Basic ${'A'.repeat(OAuthFormLimits.maxBasicCredentialsLength + 4)}`;
      expect(() => readPresentedCredentials(oauthForm('', header))).toThrow(
        new InvalidRequest('the Basic credentials value is longer than 4096 characters'),
      );
    });

    it('holds the decoded id and secret to the limits of client_id and client_secret', () => {
      const id = 'i'.repeat(maxLengths.client_id);
      const secret = 's'.repeat(maxLengths.client_secret);
      expect(readPresentedCredentials(oauthForm('', basic(id, secret)))).toMatchObject({
        clientId: id,
        clientSecret: secret,
      });
      expect(() => readPresentedCredentials(oauthForm('', basic(`${id}i`, 's')))).toThrow(
        new InvalidRequest('the client id in the Basic credentials is longer than 200 characters'),
      );
      expect(() => readPresentedCredentials(oauthForm('', basic('c', `${secret}s`)))).toThrow(
        new InvalidRequest(
          'the client secret in the Basic credentials is longer than 512 characters',
        ),
      );
    });

    it('refuses a NUL in the decoded id or secret', () => {
      expect(() => readPresentedCredentials(oauthForm('', basic('a\u0000', 's')))).toThrow(
        new InvalidRequest('the client id in the Basic credentials contains a control character'),
      );
      expect(() => readPresentedCredentials(oauthForm('', basic('a', 's\u0000')))).toThrow(
        new InvalidRequest(
          'the client secret in the Basic credentials contains a control character',
        ),
      );
    });
  });
});
