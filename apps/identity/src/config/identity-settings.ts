import { ConfigType, registerAs } from '@nestjs/config';
import {
  ConfigurationError,
  IdentityEnvironment,
  definedEnvironment,
  parseDuration,
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
  const keys = {
    algorithm: env.IDENTITY_SIGNING_ALG,
    rotationPeriodMs: parseDuration(env.IDENTITY_KEY_ROTATION_PERIOD),
    propagationTimeMs: parseDuration(env.IDENTITY_KEY_PROPAGATION_TIME),
    retentionTimeMs: parseDuration(env.IDENTITY_KEY_RETENTION_TIME),
    encryptionKey: env.IDENTITY_KEY_ENCRYPTION_KEY
      ? Buffer.from(env.IDENTITY_KEY_ENCRYPTION_KEY, 'base64')
      : undefined,
  };
  if (keys.rotationPeriodMs <= keys.propagationTimeMs) {
    // A key must sign for longer than its successor needs to be announced.
    throw new ConfigurationError('the environment', [
      'IDENTITY_KEY_ROTATION_PERIOD: must be longer than IDENTITY_KEY_PROPAGATION_TIME',
    ]);
  }
  return {
    port: env.PORT,
    /** No trailing slash, so endpoint URLs are `${issuer}${path}`. */
    issuer: (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    configFile: env.IDENTITY_CONFIG,
    dataDir: env.IDENTITY_DATA_DIR,
    /** PostgreSQL for replicas; unset means the embedded SQLite store. */
    databaseUrl: env.DATABASE_URL,
    keys,
    rateLimit: env.RATE_LIMIT === 'on',
  };
}
