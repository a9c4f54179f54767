import { BadGatewayException, Controller, Get, Inject, Logger } from '@nestjs/common';
import { AuthorizedFetch } from '@nest-identity/token-client';
import { forecastClientConfig, type ForecastClientSettings } from './forecast-client.config';

interface Forecast {
  date: string;
  temperatureC: number;
  temperatureF: number;
  summary: string;
}

/** Service A's one route: the weather-api's forecasts, fetched with this service's own token. */
@Controller()
export class ForecastSummaryController {
  private readonly logger = new Logger('ForecastSummary');

  constructor(
    private readonly authorizedFetch: AuthorizedFetch,
    @Inject(forecastClientConfig.KEY) private readonly settings: ForecastClientSettings,
  ) {}

  @Get('forecast-summary')
  async summary(): Promise<{ count: number; forecasts: Forecast[] }> {
    const forecasts = await this.fetchForecasts();
    return { count: forecasts.length, forecasts };
  }

  private async fetchForecasts(): Promise<Forecast[]> {
    let response: Response;
    try {
      response = await this.authorizedFetch.fetch(
        `${this.settings.weatherApiUrl}/weatherforecast`,
        {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(10_000),
        },
      );
    } catch (error) {
      // Token client errors name the authority's answer, never the secret or a token.
      this.logger.warn(
        `weather-api call failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw new BadGatewayException('the weather-api could not be called');
    }
    if (!response.ok) {
      await response.body?.cancel();
      this.logger.warn(`weather-api answered HTTP ${response.status}`);
      throw new BadGatewayException(`the weather-api answered HTTP ${response.status}`);
    }
    return (await response.json()) as Forecast[];
  }
}
