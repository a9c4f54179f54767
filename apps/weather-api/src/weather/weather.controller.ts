import { Controller, Get } from '@nestjs/common';
import { ApiOAuth2, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RequireScopes } from '@nest-identity/jwt-bearer';
import { BearerTokenMissing, InsufficientScope, InvalidToken, Scopes } from '@nest-identity/shared';
import { ApiOAuthErrors } from '@nest-identity/shared/hosting';
import { WeatherApiSecurity } from '../openapi/weather-api.openapi';
import { WeatherService, WeatherForecast } from './weather.service';

@Controller('weatherforecast')
export class WeatherController {
  constructor(private readonly weather: WeatherService) {}

  @Get()
  @RequireScopes(Scopes.Api1)
  @ApiOperation({ summary: 'The forecast for the next five days' })
  @ApiOAuth2([Scopes.Api1], WeatherApiSecurity)
  @ApiOkResponse({ type: WeatherForecast, isArray: true })
  @ApiOAuthErrors(
    { error: new BearerTokenMissing(), when: 'no token (`WWW-Authenticate: Bearer`, no body)' },
    {
      error: new InvalidToken('the token has expired'),
      when: 'the token is invalid: signature, key, alg, typ, iss, aud, exp or nbf, a required claim missing, a lifetime too long',
    },
    {
      error: new InsufficientScope([Scopes.Api1]),
      when: `a valid token without the scope ${Scopes.Api1}`,
    },
  )
  forecast(): WeatherForecast[] {
    return this.weather.nextFiveDays();
  }
}
