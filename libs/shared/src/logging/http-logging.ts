import type { FastifyInstance } from 'fastify';
import type { Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import type { LogLevel } from '../config/server-environment';
import { activeTraceIds } from '../tracing/spans';
import { tracingStarted } from '../tracing/start-tracing';

/**
 * Object keys whose values are credentials or tokens, wherever they turn up in a log record:
 * pino replaces them with "[REDACTED]". The request serializer below already logs no headers
 * and no query values; this list is the second line of defence for anything logged by hand.
 */
export const RedactedKeys = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'dpop',
  'client_secret',
  'clientSecret',
  'secret',
  'client_assertion',
  'assertion',
  'access_token',
  'refresh_token',
  'token',
  'password',
] as const;

/**
 * Each key at the top of a record and one object down (`body.client_secret`). Deeper wildcards
 * cost a scan of every record, and the request serializer already logs no headers at all.
 */
const redactPaths = RedactedKeys.flatMap((key) => {
  const plain = /^\w+$/.test(key);
  const top = plain ? key : `["${key}"]`;
  const member = plain ? `.${key}` : top;
  return [top, `*${member}`];
});

const asIs = <T>(value: T): T => value;

/**
 * The apps' pino options: JSON lines on stdout, the app's name on each, credentials redacted;
 * while tracing is on, each line written inside a span carries its `trace_id` and `span_id`.
 */
export function loggerOptions(app: string, level: LogLevel): LoggerOptions {
  return {
    level,
    base: { app },
    ...(tracingStarted() ? { mixin: activeTraceIds } : {}),
    redact: { paths: redactPaths, censor: '[REDACTED]' },
    // logRequests builds `req` and `res` itself; Fastify's serializers would drop the id.
    serializers: { req: asIs, res: asIs },
  };
}

/**
 * nestjs-pino over the logger Fastify already has (createHttpAdapter's `logger`): Nest's own log
 * lines go through pino, and no second logger is made per request (pino-http as Nest middleware
 * cost more than the rest of a request).
 */
export function httpLoggingParams(app: string, level: LogLevel): Params {
  return { pinoHttp: loggerOptions(app, level), useExisting: true };
}

/**
 * The request log: one line per answered request, with its request id, method, path (query
 * values left out), caller and status; health probes and metrics scrapes left out.
 */
export function logRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!isProbeOrScrape(request.url)) {
      const line = {
        req: {
          id: request.id,
          method: request.method,
          url: withoutQueryValues(request.url),
          remoteAddress: request.ip,
        },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime),
      };
      if (reply.statusCode >= 500) request.log.error(line, 'request completed');
      else request.log.info(line, 'request completed');
    }
    done();
  });
}

/** `/health…` and `/metrics`: polled every few seconds, they would drown the requests that matter. */
export function isProbeOrScrape(url: string | undefined): boolean {
  return url !== undefined && /^\/(health(\/|\?|$)|metrics(\?|$))/.test(url);
}

/** `/x?access_token=abc&b=1` → `/x?access_token=…&b=…`: which parameters came, never their values. */
export function withoutQueryValues(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const names = url
    .slice(question + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=', 1)[0]}=…`);
  return `${url.slice(0, question)}?${names.join('&')}`;
}
