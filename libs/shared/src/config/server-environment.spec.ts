import { toServerSettings } from './server-environment';
import { ConfigurationError, definedEnvironment, validateWith } from './validate-config';
import { WeatherApiEnvironment } from './weather-api-environment';

const settingsOf = (env: NodeJS.ProcessEnv) =>
  toServerSettings(
    validateWith(WeatherApiEnvironment, definedEnvironment(env), 'the environment', {
      allowUnknownProperties: true,
    }),
  );

describe('the HTTP timeouts of ServerEnvironment', () => {
  it('default to 10 s for a whole request and 5 s for an idle keep-alive connection', () => {
    expect(settingsOf({}).httpTimeouts).toEqual({ requestMs: 10_000, keepAliveMs: 5_000 });
  });

  it('are tunable with HTTP_REQUEST_TIMEOUT and HTTP_KEEP_ALIVE_TIMEOUT', () => {
    expect(
      settingsOf({ HTTP_REQUEST_TIMEOUT: '2s', HTTP_KEEP_ALIVE_TIMEOUT: '500ms' }).httpTimeouts,
    ).toEqual({ requestMs: 2000, keepAliveMs: 500 });
  });

  it('refuse zero, which would switch the protection off', () => {
    expect(() =>
      settingsOf({ HTTP_REQUEST_TIMEOUT: '0s', HTTP_KEEP_ALIVE_TIMEOUT: '00ms' }),
    ).toThrow(
      new ConfigurationError('the environment', [
        'HTTP_REQUEST_TIMEOUT: must be more than zero',
        'HTTP_KEEP_ALIVE_TIMEOUT: must be more than zero',
      ]),
    );
  });
});
