import { Controller } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { Public } from '@nest-identity/jwt-bearer';

/**
 * `GET /metrics` without a token: the bearer guard is global, and Prometheus scrapes without one.
 * Keep the port off the public internet (or filter /metrics at the proxy) if its figures are
 * not for everyone.
 */
@Controller()
@Public()
export class MetricsController extends PrometheusController {}
