import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IsDuration } from './duration';
import { IsHttpUrl } from './is-http-url';

export const SigningAlgorithms = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SigningAlgorithms)[number];

/** The identity's environment (see CONTRACT.md), with its defaults. */
export class IdentityEnvironment {
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT: number = 5001;

  /** Defaults to `http://localhost:$PORT`. */
  @IsOptional()
  @IsHttpUrl()
  ISSUER?: string;

  @IsString()
  @IsNotEmpty()
  IDENTITY_CONFIG: string = 'config/identity.json';

  @IsString()
  @IsNotEmpty()
  IDENTITY_DATA_DIR: string = './data';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsIn(['on', 'off'])
  RATE_LIMIT: 'on' | 'off' = 'on';

  /** The algorithm of new signing keys; existing keys keep theirs. */
  @IsIn(SigningAlgorithms)
  IDENTITY_SIGNING_ALG: SigningAlgorithm = 'RS256';

  /** How long a key signs. */
  @IsDuration()
  IDENTITY_KEY_ROTATION_PERIOD: string = '90d';

  /** How long a new key is announced in the JWKS before it signs. */
  @IsDuration()
  IDENTITY_KEY_PROPAGATION_TIME: string = '14d';

  /** How long a key stays published after it stops signing. */
  @IsDuration()
  IDENTITY_KEY_RETENTION_TIME: string = '14d';

  /** base64 of 32 random bytes (`openssl rand -base64 32`): encrypts private keys at rest. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'must be base64 of 32 bytes (openssl rand -base64 32)',
  })
  IDENTITY_KEY_ENCRYPTION_KEY?: string;

  @IsOptional()
  @IsString()
  NODE_ENV?: string;
}
