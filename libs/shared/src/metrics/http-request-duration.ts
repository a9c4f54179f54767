import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Registry, type Histogram } from 'prom-client';
import { histogramIn } from './metric-registry';

export const HTTP_REQUEST_DURATION = 'http_request_duration_seconds';

/** The label of requests that matched no route: raw URLs would make a series per scanner probe. */
export const UNMATCHED_ROUTE = 'unmatched';

type Label = 'method' | 'route' | 'status_code';

/**
 * `http_request_duration_seconds{method, route, status_code}`: every answer's time, observed in
 * a Fastify `onResponse` hook rather than a Nest interceptor. The hook sees every request,
 * those refused by a guard (401, 429), a body parser (413) or no route (404) included, which an
 * interceptor (running after guards, only on matched routes) misses; and it costs one
 * observation, reading Fastify's own `elapsedTime`, without an RxJS pipe per request. `route` is
 * the route's pattern (`/admin/clients/:clientId`), so label values stay as few as the routes.
 */
@Injectable()
export class HttpRequestDuration implements OnModuleInit {
  readonly histogram: Histogram<Label>;

  constructor(
    registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.histogram = histogramIn(registry, {
      name: HTTP_REQUEST_DURATION,
      help: 'Time to answer an HTTP request, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
    });
  }

  /** Before the server listens, when Fastify still takes hooks; routes get them when it is ready. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', (request, reply, done) => {
      this.observe(request, reply);
      done();
    });
  }

  observe(request: FastifyRequest, reply: FastifyReply): void {
    this.histogram.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  }
}
