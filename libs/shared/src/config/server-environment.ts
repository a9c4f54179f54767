import { IsIn, IsOptional, IsString, IsNotEmpty, Matches, ValidateIf } from 'class-validator';
import { Documented } from './documented';
import { IsDuration, parseDuration } from './duration';

export const LogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LogLevels)[number];

const NOT_ZERO = /^0*[1-9]/;

/** What every app of this project reads to run its HTTP server: TLS, logging, shutdown. */
export class ServerEnvironment {
  /** PEM certificate (chain); with TLS_KEY_FILE the app serves HTTPS instead of HTTP. */
  @Documented({
    meaning: 'PEM files, both or neither: the app serves HTTPS only (and sends HSTS).',
  })
  @ValidateIf((env: ServerEnvironment) => env.TLS_KEY_FILE !== undefined)
  @IsString({ message: 'must be set together with TLS_KEY_FILE' })
  @IsNotEmpty()
  TLS_CERT_FILE?: string;

  /** PEM private key of TLS_CERT_FILE. */
  @Documented({ sameRowAs: 'TLS_CERT_FILE' })
  @ValidateIf((env: ServerEnvironment) => env.TLS_CERT_FILE !== undefined)
  @IsString({ message: 'must be set together with TLS_CERT_FILE' })
  @IsNotEmpty()
  TLS_KEY_FILE?: string;

  @Documented({ meaning: '{rule}.' })
  @IsIn(LogLevels)
  LOG_LEVEL: LogLevel = 'info';

  /** On SIGTERM, in-flight requests get this long to finish before the process exits anyway. */
  @Documented({ meaning: '{rule}: on SIGTERM, in-flight requests get this long.' })
  @IsDuration()
  SHUTDOWN_GRACE_PERIOD: string = '8s';

  /**
   * The request line, headers and body must all arrive within this (slow-loris); Node answers
   * 408 and closes the connection otherwise. Zero would switch the protection off: refused.
   */
  @Documented({
    meaning: '{rule}, more than zero: the whole request must arrive within it (else 408).',
  })
  @IsDuration()
  @Matches(NOT_ZERO, { message: 'must be more than zero' })
  HTTP_REQUEST_TIMEOUT: string = '10s';

  /** An idle keep-alive connection is closed after this. */
  @Documented({
    meaning: '{rule}, more than zero: an idle keep-alive connection is closed after it.',
  })
  @IsDuration()
  @Matches(NOT_ZERO, { message: 'must be more than zero' })
  HTTP_KEEP_ALIVE_TIMEOUT: string = '5s';

  @Documented({
    meaning:
      "`production`: `REQUIRE_HTTPS_METADATA` defaults to `true`, a client's `jwksUri` must be https, and start-up warnings name keys stored in clear and the published demo secret.",
  })
  @IsOptional()
  @IsString()
  NODE_ENV?: string;
}

/** ServerEnvironment, read: what `createHttpAdapter` and the logger take. */
export interface ServerSettings {
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly logLevel: LogLevel;
  readonly shutdownGracePeriodMs: number;
  readonly production: boolean;
  /** Absent: the defaults of HttpTimeouts. */
  readonly httpTimeouts?: { readonly requestMs: number; readonly keepAliveMs: number };
}

export function toServerSettings(env: ServerEnvironment): ServerSettings {
  return {
    tls:
      env.TLS_CERT_FILE !== undefined && env.TLS_KEY_FILE !== undefined
        ? { certFile: env.TLS_CERT_FILE, keyFile: env.TLS_KEY_FILE }
        : undefined,
    logLevel: env.LOG_LEVEL,
    shutdownGracePeriodMs: parseDuration(env.SHUTDOWN_GRACE_PERIOD),
    production: env.NODE_ENV === 'production',
    httpTimeouts: {
      requestMs: parseDuration(env.HTTP_REQUEST_TIMEOUT),
      keepAliveMs: parseDuration(env.HTTP_KEEP_ALIVE_TIMEOUT),
    },
  };
}
