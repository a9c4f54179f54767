import {
  Counter,
  Gauge,
  Histogram,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Registry,
} from 'prom-client';

/**
 * A metric is created once per registry. An app built twice in one process (specs build the
 * modules once per case) finds the counter or histogram of the first and keeps counting in it,
 * as @willsoto/nestjs-prometheus's providers do.
 */
export function counterIn<L extends string>(
  registry: Registry,
  config: CounterConfiguration<L>,
): Counter<L> {
  return (
    (registry.getSingleMetric(config.name) as Counter<L> | undefined) ??
    new Counter({ ...config, registers: [registry] })
  );
}

export function histogramIn<L extends string>(
  registry: Registry,
  config: HistogramConfiguration<L>,
): Histogram<L> {
  return (
    (registry.getSingleMetric(config.name) as Histogram<L> | undefined) ??
    new Histogram({ ...config, registers: [registry] })
  );
}

/**
 * A gauge computed at scrape by `collect`, which reads the app instance that made it: an app
 * built again replaces it; its owner removes it when the app closes (removeMetric).
 */
export function scrapedGaugeIn<L extends string>(
  registry: Registry,
  config: GaugeConfiguration<L>,
): Gauge<L> {
  registry.removeSingleMetric(config.name);
  return new Gauge({ ...config, registers: [registry] });
}

/** Removes the metric registered under `name` if it is still this one (not a newer app's). */
export function removeMetric(registry: Registry, name: string, metric: object): void {
  if (registry.getSingleMetric(name) === metric) registry.removeSingleMetric(name);
}

/** prom-client's Node process metrics (CPU, memory, event-loop lag, GC…), once per registry. */
export function collectProcessMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
    collectDefaultMetrics({ register: registry });
  }
}
