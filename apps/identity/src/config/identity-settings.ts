import { ConfigType, registerAs } from '@nestjs/config';
import {
  ConfigurationError,
  IdentityEnvironment,
  definedEnvironment,
  validateWith,
} from '@app/shared';

/**
 * The identity's settings, read once from the validated environment. Inject with
 * `@Inject(identitySettings.KEY) settings: IdentitySettings`.
 */
export const identitySettings = registerAs('identity', () =>
  toSettings(
    validateWith(IdentityEnvironment, definedEnvironment(process.env), 'the environment', {
      allowUnknownProperties: true,
    }),
  ),
);
export type IdentitySettings = ConfigType<typeof identitySettings>;

export function toSettings(env: IdentityEnvironment) {
  if (env.DATABASE_URL) {
    // Refused rather than ignored: replicas that each kept their own embedded store would each
    // sign with their own key.
    throw new ConfigurationError('the environment', [
      'DATABASE_URL: the PostgreSQL stores are not in this version yet; unset it to use the embedded store',
    ]);
  }
  return {
    port: env.PORT,
    /** No trailing slash, so endpoint URLs are `${issuer}${path}`. */
    issuer: (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    configFile: env.IDENTITY_CONFIG,
    dataDir: env.IDENTITY_DATA_DIR,
    rateLimit: env.RATE_LIMIT === 'on',
  };
}
