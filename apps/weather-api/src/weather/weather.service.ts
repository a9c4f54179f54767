import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** The summaries of ASP.NET Core's weather template. */
export const Summaries = [
  'Freezing',
  'Bracing',
  'Chilly',
  'Cool',
  'Mild',
  'Warm',
  'Balmy',
  'Hot',
  'Sweltering',
  'Scorching',
] as const;
export type Summary = (typeof Summaries)[number];

/** A class only so the OpenAPI document can describe it; the service returns plain objects. */
export class WeatherForecast {
  @ApiProperty({ format: 'date', example: '2026-12-31', description: 'The day (UTC).' })
  date!: string;

  @ApiProperty({ type: 'integer', example: 21 })
  temperatureC!: number;

  @ApiProperty({ type: 'integer', example: 69, description: '32 + trunc(temperatureC / 0.5556)' })
  temperatureF!: number;

  @ApiProperty({ enum: Summaries, example: 'Mild' })
  summary!: Summary;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The ASP.NET Core template's forecast, random as there: the point is the token, not the weather. */
@Injectable()
export class WeatherService {
  nextFiveDays(now: Date = new Date()): WeatherForecast[] {
    return [1, 2, 3, 4, 5].map((day) => {
      const temperatureC = randomInteger(-20, 55);
      return {
        date: new Date(now.getTime() + day * DAY_MS).toISOString().slice(0, 10),
        temperatureC,
        temperatureF: toFahrenheit(temperatureC),
        summary: Summaries[randomInteger(0, Summaries.length)],
      };
    });
  }
}

/** The template's formula, kept as is (0.5556 and truncation) so both APIs answer alike. */
export function toFahrenheit(temperatureC: number): number {
  return 32 + Math.trunc(temperatureC / 0.5556);
}

/** An integer in [min, max), like .NET's Random.Next(min, max). */
function randomInteger(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min));
}
