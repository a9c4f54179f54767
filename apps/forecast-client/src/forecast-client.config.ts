import { registerAs, type ConfigType } from '@nestjs/config';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import {
  IsHttpUrl,
  ServerEnvironment,
  definedEnvironment,
  toServerSettings,
  validateWith,
} from '@nest-identity/shared';

/** The example client service's environment: its own client credentials and whom it calls. */
export class ForecastClientEnvironment extends ServerEnvironment {
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT: number = 5004;

  @IsHttpUrl()
  AUTHORITY: string = 'http://localhost:5001';

  @IsString()
  @IsNotEmpty()
  CLIENT_ID: string = 'client';

  /** No default: a secret is never baked into the code. */
  @IsString()
  @IsNotEmpty({ message: 'is required (the client secret of CLIENT_ID)' })
  CLIENT_SECRET!: string;

  @IsString()
  @IsNotEmpty()
  SCOPE: string = 'api1';

  @IsHttpUrl()
  WEATHER_API_URL: string = 'http://localhost:5003';

  /** Defaults to true when NODE_ENV is `production`, as for the weather-api. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'must be true or false' })
  REQUIRE_HTTPS_METADATA?: boolean;
}

export const forecastClientConfig = registerAs('forecastClient', () => {
  const environment = validateWith(
    ForecastClientEnvironment,
    definedEnvironment(process.env),
    'environment',
    { allowUnknownProperties: true },
  );
  return {
    port: environment.PORT,
    server: toServerSettings(environment),
    weatherApiUrl: environment.WEATHER_API_URL.replace(/\/+$/, ''),
    tokenClient: {
      authority: environment.AUTHORITY,
      clientId: environment.CLIENT_ID,
      clientSecret: environment.CLIENT_SECRET,
      scope: environment.SCOPE,
      requireHttps: environment.REQUIRE_HTTPS_METADATA ?? environment.NODE_ENV === 'production',
    },
  };
});

export type ForecastClientSettings = ConfigType<typeof forecastClientConfig>;
