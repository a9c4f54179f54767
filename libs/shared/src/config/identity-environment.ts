import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Documented } from './documented';
import { IsDuration } from './duration';
import { IsHttpUrl } from './is-http-url';
import { IsRate } from './rate';
import { ServerEnvironment } from './server-environment';

export const SigningAlgorithms = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SigningAlgorithms)[number];

/** The identity's environment (see docs/reference.md "Environment variables"), with its defaults. */
export class IdentityEnvironment extends ServerEnvironment {
  @Documented({ meaning: '{rule}.' })
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT: number = 5001;

  /** Defaults to `http://localhost:$PORT`. */
  @Documented({
    default: '`http://localhost:$PORT`',
    meaning:
      "Absolute {rule}, no query or fragment, trailing slash dropped: every token's `iss` and discovery's base.",
  })
  @IsOptional()
  @IsHttpUrl()
  ISSUER?: string;

  @Documented({
    meaning: 'The [configuration file](#configuration-file), JSON or YAML (`.yaml`/`.yml`).',
  })
  @IsString()
  @IsNotEmpty()
  IDENTITY_CONFIG: string = 'config/identity.json';

  @Documented({ meaning: "The embedded SQLite database's directory." })
  @IsString()
  @IsNotEmpty()
  IDENTITY_DATA_DIR: string = './data';

  @Documented({
    default: 'unset (SQLite)',
    meaning: '`postgres://` or `postgresql://` URL: clients and keys in PostgreSQL.',
  })
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** `redis://…`: rate-limit and lock-out counters shared by every replica (else PostgreSQL's, else memory). */
  @Documented({
    meaning:
      "`redis://` or `rediss://` URL: rate-limit and lock-out counters shared by replicas (else PostgreSQL's, else memory).",
  })
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Documented({ meaning: '{rule} (every throttle and the lock-out).' })
  @IsIn(['on', 'off'])
  RATE_LIMIT: 'on' | 'off' = 'on';

  /** Token requests one client id may make per window. */
  @Documented({ meaning: '{rule}: token requests per client id.' })
  @IsRate()
  IDENTITY_RATE_LIMIT_CLIENT: string = '300/1m';

  /** Token requests one source address may make per window. */
  @Documented({ meaning: '{rule}: token requests per source address (IPv6: per /64).' })
  @IsRate()
  IDENTITY_RATE_LIMIT_ADDRESS: string = '1200/1m';

  /**
   * Failed authentications of one client id from one source address, within
   * IDENTITY_LOCKOUT_WINDOW, that lock it out at that address.
   */
  @Documented({
    meaning:
      '{rule}: failed authentications of one id from one address, within the window, that lock it out there.',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  IDENTITY_LOCKOUT_THRESHOLD: number = 10;

  @Documented({ meaning: '{rule} the failures are counted in.' })
  @IsDuration()
  IDENTITY_LOCKOUT_WINDOW: string = '5m';

  /** The first lock-out; each further one in a row doubles it, up to IDENTITY_LOCKOUT_MAX_DURATION. */
  @Documented({ meaning: '{rule} of the first lock-out; each next one in a row doubles.' })
  @IsDuration()
  IDENTITY_LOCKOUT_DURATION: string = '30s';

  @Documented({ meaning: '{rule}: the longest lock-out.' })
  @IsDuration()
  IDENTITY_LOCKOUT_MAX_DURATION: string = '15m';

  /**
   * Failed authentications of one client id from all addresses, within IDENTITY_LOCKOUT_WINDOW,
   * past which each further failure is answered after IDENTITY_LOCKOUT_SLOW_DOWN (never locked).
   */
  @Documented({
    meaning:
      '{rule}: failures of one id from all addresses past which each failure is slowed down (never locked).',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  IDENTITY_LOCKOUT_ID_CEILING: number = 100;

  @Documented({ meaning: '{rule} of that slow-down.' })
  @IsDuration()
  IDENTITY_LOCKOUT_SLOW_DOWN: string = '1s';

  /**
   * Which proxies' `X-Forwarded-For` to believe for the source address: `false` (none, the
   * default), `true` (any), a hop count, or a comma-separated list of addresses/CIDRs.
   */
  @Documented({
    meaning:
      '`false`, `true`, a hop count, or comma-separated addresses/CIDRs whose `X-Forwarded-For` is believed.',
  })
  @Matches(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'must be false, true, a hop count or a comma-separated list of addresses/CIDRs',
  })
  IDENTITY_TRUST_PROXY: string = 'false';

  /**
   * Comma-separated exact origins (`http://localhost:5003`) whose pages may call the token
   * endpoint, discovery and JWKS from a browser (Swagger UI). Empty: no CORS headers at all.
   */
  @Documented({
    default: 'empty (no CORS)',
    meaning:
      'Comma-separated exact origins (`http://localhost:5003`) allowed to call the token endpoint, discovery and JWKS from a browser.',
  })
  @Matches(/^(\s*https?:\/\/[^\s,/]+\s*(,\s*https?:\/\/[^\s,/]+\s*)*)?$/, {
    message: 'must be a comma-separated list of origins such as http://localhost:5003',
  })
  CORS_ORIGINS: string = '';

  /**
   * `on`: a DPoP proof at the token endpoint must carry a server nonce (RFC 9449 §8), which the
   * identity hands out with `use_dpop_nonce` and on every DPoP response. `off`: nonces unused.
   */
  @Documented({
    meaning: '{rule}: DPoP proofs at the token endpoint must carry a server nonce (RFC 9449 §8).',
  })
  @IsIn(['on', 'off'])
  IDENTITY_DPOP_NONCE: 'on' | 'off' = 'on';

  /** The algorithm of new signing keys; existing keys keep theirs. */
  @Documented({ meaning: '{rule}: the algorithm of new signing keys.' })
  @IsIn(SigningAlgorithms)
  IDENTITY_SIGNING_ALG: SigningAlgorithm = 'RS256';

  /** How long a key signs. */
  @Documented({ meaning: '{rule} a key signs; longer than the propagation time.' })
  @IsDuration()
  IDENTITY_KEY_ROTATION_PERIOD: string = '90d';

  /** How long a new key is announced in the JWKS before it signs. */
  @Documented({ meaning: '{rule} a new key is published before it signs.' })
  @IsDuration()
  IDENTITY_KEY_PROPAGATION_TIME: string = '14d';

  /** How long a key stays published after it stops signing. */
  @Documented({
    meaning:
      "{rule} a key stays published after it stops signing; no client's JWT lifetime may exceed it.",
  })
  @IsDuration()
  IDENTITY_KEY_RETENTION_TIME: string = '14d';

  /** base64 of 32 random bytes (`openssl rand -base64 32`): encrypts private keys at rest. */
  @Documented({
    default: 'unset (keys in clear)',
    meaning:
      'Base64 of 32 bytes (`openssl rand -base64 32`): private keys encrypted at rest (AES-256-GCM).',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'must be base64 of 32 bytes (openssl rand -base64 32)',
  })
  IDENTITY_KEY_ENCRYPTION_KEY?: string;
}
