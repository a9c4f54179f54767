import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IsHttpUrl } from './is-http-url';

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

  @IsOptional()
  @IsString()
  NODE_ENV?: string;
}
