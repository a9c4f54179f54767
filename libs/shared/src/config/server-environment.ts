import { IsIn, IsOptional, IsString, IsNotEmpty, ValidateIf } from 'class-validator';
import { IsDuration, parseDuration } from './duration';

export const LogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LogLevels)[number];

/** What every app of this project reads to run its HTTP server: TLS, logging, shutdown. */
export class ServerEnvironment {
  /** PEM certificate (chain); with TLS_KEY_FILE the app serves HTTPS instead of HTTP. */
  @ValidateIf((env: ServerEnvironment) => env.TLS_KEY_FILE !== undefined)
  @IsString({ message: 'must be set together with TLS_KEY_FILE' })
  @IsNotEmpty()
  TLS_CERT_FILE?: string;

  /** PEM private key of TLS_CERT_FILE. */
  @ValidateIf((env: ServerEnvironment) => env.TLS_CERT_FILE !== undefined)
  @IsString({ message: 'must be set together with TLS_CERT_FILE' })
  @IsNotEmpty()
  TLS_KEY_FILE?: string;

  @IsIn(LogLevels)
  LOG_LEVEL: LogLevel = 'info';

  /** On SIGTERM, in-flight requests get this long to finish before the process exits anyway. */
  @IsDuration()
  SHUTDOWN_GRACE_PERIOD: string = '8s';

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
  };
}
