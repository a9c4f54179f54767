import { IdentityEnvironment } from './identity-environment';
import { ConfigurationError, definedEnvironment, validateWith } from './validate-config';
import { WeatherApiEnvironment } from './weather-api-environment';

const read = <T extends object>(dto: new () => T, env: NodeJS.ProcessEnv) =>
  validateWith(dto, definedEnvironment(env), 'the environment', { allowUnknownProperties: true });

describe('environment validation', () => {
  it("applies the contract's defaults, treating empty variables as unset", () => {
    expect(read(IdentityEnvironment, { PORT: '', HOME: '/root' })).toMatchObject({
      PORT: 5001,
      IDENTITY_CONFIG: 'config/identity.json',
      IDENTITY_DATA_DIR: './data',
      RATE_LIMIT: 'on',
    });
    expect(read(WeatherApiEnvironment, {})).toMatchObject({
      PORT: 5003,
      AUTHORITY: 'http://localhost:5001',
      AUDIENCE: 'api1',
      CLOCK_SKEW: 60,
      INTROSPECTION_CACHE_SECONDS: 30,
      REQUIRED_CLAIMS: ['iat', 'jti', 'sub', 'client_id'],
      MAX_TOKEN_LIFETIME_SECONDS: 86400,
      KEY_CACHE_SECONDS: 600,
    });
  });

  it('reads REQUIRED_CLAIMS as a comma-separated list, or none', () => {
    expect(read(WeatherApiEnvironment, { REQUIRED_CLAIMS: 'iat, jti,client_id' })).toMatchObject({
      REQUIRED_CLAIMS: ['iat', 'jti', 'client_id'],
    });
    expect(read(WeatherApiEnvironment, { REQUIRED_CLAIMS: 'none' })).toMatchObject({
      REQUIRED_CLAIMS: [],
    });
    for (const value of ['iat,exp', 'iat,,jti', 'sub client_id'])
      expect(() => read(WeatherApiEnvironment, { REQUIRED_CLAIMS: value })).toThrow(
        'REQUIRED_CLAIMS: must be none or a comma-separated list of iat, jti, sub, client_id',
      );
  });

  it('reads KEY_CACHE_SECONDS as a whole number of seconds, 1 to 86400', () => {
    expect(read(WeatherApiEnvironment, { KEY_CACHE_SECONDS: '60' })).toMatchObject({
      KEY_CACHE_SECONDS: 60,
    });
    for (const value of ['0', '86401', '1m'])
      expect(() => read(WeatherApiEnvironment, { KEY_CACHE_SECONDS: value })).toThrow(
        /KEY_CACHE_SECONDS: /,
      );
  });

  it('reads MAX_TOKEN_LIFETIME_SECONDS as a whole number of seconds above 0', () => {
    expect(read(WeatherApiEnvironment, { MAX_TOKEN_LIFETIME_SECONDS: '604800' })).toMatchObject({
      MAX_TOKEN_LIFETIME_SECONDS: 604800,
    });
    for (const value of ['0', '1.5', '1d'])
      expect(() => read(WeatherApiEnvironment, { MAX_TOKEN_LIFETIME_SECONDS: value })).toThrow(
        /^.*MAX_TOKEN_LIFETIME_SECONDS: /,
      );
  });

  it('converts numbers and booleans', () => {
    expect(
      read(WeatherApiEnvironment, {
        PORT: '8080',
        CLOCK_SKEW: '5',
        REQUIRE_HTTPS_METADATA: 'false',
        INTROSPECTION_CACHE_SECONDS: '0',
      }),
    ).toMatchObject({
      PORT: 8080,
      CLOCK_SKEW: 5,
      REQUIRE_HTTPS_METADATA: false,
      INTROSPECTION_CACHE_SECONDS: 0,
    });
  });

  it('names every invalid variable, one message each', () => {
    expect(() =>
      read(IdentityEnvironment, { PORT: 'abc', ISSUER: 'ftp://x', RATE_LIMIT: 'maybe' }),
    ).toThrow(
      new ConfigurationError('the environment', [
        'PORT: must be an integer number',
        'ISSUER: must be an absolute http(s) URL without query or fragment',
        'RATE_LIMIT: must be one of the following values: on, off',
      ]),
    );
    expect(() => read(WeatherApiEnvironment, { REQUIRE_HTTPS_METADATA: 'yes' })).toThrow(
      'REQUIRE_HTTPS_METADATA: must be true or false',
    );
    expect(() => read(WeatherApiEnvironment, { INTROSPECTION_CACHE_SECONDS: '-1' })).toThrow(
      'INTROSPECTION_CACHE_SECONDS: must not be less than 0',
    );
  });
});
