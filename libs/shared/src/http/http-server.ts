import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import helmet from 'helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { pino } from 'pino';
import { logRequests, loggerOptions } from '../logging/http-logging';
import { tracingStarted } from '../tracing/start-tracing';
import { traceRequests } from './traced-requests';
import { ConfigurationError } from '../config/validate-config';
import type { ServerSettings } from '../config/server-environment';

/**
 * Bounds on a connection's life, so slow or idle clients (slow-loris) cannot hold sockets:
 * the request line, headers and body must all arrive within `requestMs`; an idle keep-alive
 * connection closes after `keepAliveMs`; Node checks for overdue requests every `checkEveryMs`.
 * The first two are tunable (HTTP_REQUEST_TIMEOUT, HTTP_KEEP_ALIVE_TIMEOUT).
 */
export const HttpTimeouts = {
  requestMs: 10_000,
  keepAliveMs: 5_000,
  socketIdleMs: 30_000,
  checkEveryMs: 1_000,
} as const;

/** A caller's `X-Request-Id` is kept when it is a plain token; anything else gets a fresh id. */
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,64}$/;

function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
}

export interface HttpAdapterOptions {
  /** Largest request body; Fastify answers 413 beyond it. Default 16 KiB. */
  bodyLimit?: number;
  /** Fastify's `trustProxy`: whose X-Forwarded-For sets `request.ip`. Default false. */
  trustProxy?: boolean | number | string[];
  /** Overrides of HttpTimeouts, over those of the settings (tests shorten them). */
  timeouts?: Partial<typeof HttpTimeouts>;
  /** The app's name in its logs: Fastify then logs with pino (loggerOptions), see logRequests. */
  app?: string;
}

/**
 * The Fastify adapter both apps run on: HTTPS when the settings carry a certificate, the
 * timeouts above, request ids, and a shutdown that refuses new requests (503) while in-flight ones finish.
 */
export function createHttpAdapter(
  settings: ServerSettings,
  options: HttpAdapterOptions = {},
): FastifyAdapter {
  const timeouts = { ...HttpTimeouts, ...settings.httpTimeouts, ...options.timeouts };
  const nodeServerOptions = {
    headersTimeout: timeouts.requestMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: timeouts.checkEveryMs,
  };
  const tls = settings.tls && readTls(settings.tls);
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    trustProxy: options.trustProxy ?? false,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionTimeout: timeouts.socketIdleMs,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // One id per request, in every log line of it and echoed back, so a caller can quote it.
    requestIdHeader: false,
    genReqId: requestIdOf,
    ...(options.app === undefined
      ? {}
      : {
          loggerInstance: pino(loggerOptions(options.app, settings.logLevel)),
          // One line per request, from logRequests: not Fastify's two.
          logController: new LogController({ disableRequestLogging: true }),
        }),
    ...(tls ? { https: { ...tls, ...nodeServerOptions } } : { http: nodeServerOptions }),
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // Before logRequests: the request's log line is written inside its server span.
  if (tracingStarted()) traceRequests(adapter.getInstance());
  if (options.app !== undefined) logRequests(adapter.getInstance());
  return adapter;
}

function readTls(files: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (variable: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigurationError('the environment', [
        `${variable}: cannot read ${file}: ${reason}`,
      ]);
    }
  };
  return { cert: read('TLS_CERT_FILE', files.certFile), key: read('TLS_KEY_FILE', files.keyFile) };
}

/**
 * The usual security headers (helmet), tuned for JSON APIs: no HSTS over plain HTTP (it would
 * be ignored and mislead), and a strict default CSP since these apps serve no pages. helmet is
 * built once and applied from a hook: @fastify/helmet builds it again for every request, which
 * cost more than the rest of a health probe.
 */
export function useSecurityHeaders(app: NestFastifyApplication, settings: ServerSettings): void {
  const setHeaders = helmet({
    hsts: settings.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    // The legacy header says what frame-ancestors 'none' says, for browsers without CSP 2.
    xFrameOptions: { action: 'deny' },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) =>
      setHeaders(request.raw, reply.raw, (error?: unknown) =>
        done(error instanceof Error ? error : undefined),
      ),
    );
}
