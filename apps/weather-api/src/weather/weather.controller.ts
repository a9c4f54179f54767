import { Controller, Get } from '@nestjs/common';
import { RequireScopes } from '@app/jwt-bearer';
import { Scopes } from '@app/shared';
import { WeatherService, type WeatherForecast } from './weather.service';

@Controller('weatherforecast')
export class WeatherController {
  constructor(private readonly weather: WeatherService) {}

  @Get()
  @RequireScopes(Scopes.Api1)
  forecast(): WeatherForecast[] {
    return this.weather.nextFiveDays();
  }
}
