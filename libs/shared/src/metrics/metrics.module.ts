import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { PrometheusController, PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Registry, register } from 'prom-client';
import { HttpRequestDuration } from './http-request-duration';
import { collectProcessMetrics } from './metric-registry';

export const METRICS_PATH = '/metrics';

export interface MetricsModuleOptions {
  /**
   * The controller that serves `GET /metrics`: a subclass of PrometheusController, e.g. one marked
   * `@Public()` where a global guard would ask for a token. Defaults to PrometheusController.
   */
  controller?: Type<PrometheusController>;
}

/**
 * Prometheus metrics for an app of this project: `GET /metrics` in the text format
 * (@willsoto/nestjs-prometheus over prom-client's default registry), the Node process metrics,
 * and the HTTP request duration histogram. `Registry` is provided for the app's own collectors,
 * which create their metrics in it (see metric-registry.ts).
 */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    return {
      module: MetricsModule,
      imports: [
        PrometheusModule.register({
          path: METRICS_PATH,
          controller: options.controller ?? PrometheusController,
          // Collected below, once per registry: the module's own call throws when an app is built
          // a second time in one process.
          defaultMetrics: { enabled: false },
        }),
      ],
      providers: [
        {
          provide: Registry,
          useFactory: () => {
            collectProcessMetrics(register);
            return register;
          },
        },
        HttpRequestDuration,
      ],
      exports: [Registry],
    };
  }
}
