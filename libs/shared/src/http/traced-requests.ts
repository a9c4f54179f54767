import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isProbeOrScrape } from '../logging/http-logging';
import { incomingTraceContext } from '../tracing/spans';
import { requestPath } from './http-request';

const tracer = trace.getTracer('nest-identity');

const SERVER_SPAN = Symbol('server span');

interface TracedRequest extends FastifyRequest {
  [SERVER_SPAN]?: { span: Span; context: Context };
}

/**
 * One server span per request (docs/operations.md, "Tracing"), named `METHOD route`
 * (`POST /connect/token`), a child of the caller's span when the request carries a W3C
 * `traceparent`, and active while the request's hooks and handler run: Fastify reads the body
 * between its hooks, outside any context, so the span is made active again before the handler.
 * The request log line (logRequests, added after these hooks) is written inside it too.
 * Health probes and metrics scrapes get none. Added only while tracing is on (createHttpAdapter).
 */
export function traceRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: TracedRequest, _reply, done) => {
    if (isProbeOrScrape(request.url)) return done();
    const parent = incomingTraceContext(request.headers);
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: request.method,
          [ATTR_URL_PATH]: requestPath(request),
          ...(route === undefined ? {} : { [ATTR_HTTP_ROUTE]: route }),
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    request[SERVER_SPAN] = { span, context: active };
    context.with(active, done);
  });
  fastify.addHook('preHandler', (request: TracedRequest, _reply, done) => {
    const traced = request[SERVER_SPAN];
    if (traced === undefined) done();
    else context.with(traced.context, done);
  });
  fastify.addHook('onResponse', (request: TracedRequest, reply, done) => {
    const traced = request[SERVER_SPAN];
    if (traced === undefined) return done();
    traced.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
    if (reply.statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
    context.with(traced.context, done);
    traced.span.end();
  });
  fastify.addHook('onRequestAbort', (request: TracedRequest, done) => {
    const traced = request[SERVER_SPAN];
    traced?.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away' });
    traced?.span.end();
    done();
  });
}
