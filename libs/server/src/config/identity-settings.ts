import { ConfigType, registerAs } from '@nestjs/config';
import {
  ConfigurationError,
  IdentityEnvironment,
  definedEnvironment,
  parseDuration,
  parseRate,
  toServerSettings,
  validateWith,
} from '@nest-identity/shared';

/**
 * The identity's settings, read once from the validated environment. Inject with
 * `@Inject(identitySettings.KEY) settings: IdentitySettings`.
 */
export const identitySettings = registerAs('identity', () => settingsFromEnvironment(process.env));

/** Validates `values`, named as the environment variables, into the identity's settings. */
export function settingsFromEnvironment(values: Readonly<Record<string, string | undefined>>) {
  return toSettings(
    validateWith(IdentityEnvironment, definedEnvironment(values), 'the environment', {
      allowUnknownProperties: true,
    }),
  );
}
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
    server: toServerSettings(env),
    /** Fastify's `trustProxy`: whose X-Forwarded-For decides `request.ip`. */
    trustProxy: parseTrustProxy(env.IDENTITY_TRUST_PROXY),
    /** RFC 9449 at the token endpoint: whether proofs must carry a server nonce (§8). */
    dpop: { requireNonce: env.IDENTITY_DPOP_NONCE === 'on' },
    /** Origins allowed to call the token endpoint, discovery and JWKS from a browser. */
    corsOrigins: parseList(env.CORS_ORIGINS),
    rateLimits: {
      /** RATE_LIMIT=off turns every throttle and the lock-out off (test rigs, benchmarks). */
      enabled: env.RATE_LIMIT === 'on',
      perClient: parseRate(env.IDENTITY_RATE_LIMIT_CLIENT),
      perAddress: parseRate(env.IDENTITY_RATE_LIMIT_ADDRESS),
      lockout: {
        threshold: env.IDENTITY_LOCKOUT_THRESHOLD,
        windowMs: parseDuration(env.IDENTITY_LOCKOUT_WINDOW),
        durationMs: parseDuration(env.IDENTITY_LOCKOUT_DURATION),
        maxDurationMs: parseDuration(env.IDENTITY_LOCKOUT_MAX_DURATION),
        idCeiling: env.IDENTITY_LOCKOUT_ID_CEILING,
        slowDownMs: parseDuration(env.IDENTITY_LOCKOUT_SLOW_DOWN),
      },
      /** Counters shared by replicas: Redis when set, else PostgreSQL when set, else memory. */
      redisUrl: env.REDIS_URL,
    },
  };
}

function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((entry) => entry.trim());
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
