import { Summaries, WeatherService, toFahrenheit } from './weather.service';

describe('WeatherService', () => {
  const service = new WeatherService();

  it('forecasts the next five days', () => {
    const forecasts = service.nextFiveDays(new Date('2026-12-30T23:30:00Z'));
    expect(forecasts.map((forecast) => forecast.date)).toEqual([
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
      '2027-01-04',
    ]);
  });

  it('gives each day the template shape: Celsius in [-20, 55), its Fahrenheit, a summary', () => {
    for (let round = 0; round < 200; round++) {
      for (const forecast of service.nextFiveDays()) {
        expect(Object.keys(forecast)).toEqual(['date', 'temperatureC', 'temperatureF', 'summary']);
        expect(forecast.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(Number.isInteger(forecast.temperatureC)).toBe(true);
        expect(forecast.temperatureC).toBeGreaterThanOrEqual(-20);
        expect(forecast.temperatureC).toBeLessThan(55);
        expect(forecast.temperatureF).toBe(toFahrenheit(forecast.temperatureC));
        expect(Summaries).toContain(forecast.summary);
      }
    }
  });

  it.each([
    [0, 32],
    [-20, -3],
    [54, 129],
    [37, 98],
    [-1, 31],
  ])('converts %i °C to %i °F as the ASP.NET template does', (celsius, fahrenheit) => {
    expect(toFahrenheit(celsius)).toBe(fahrenheit);
  });
});
