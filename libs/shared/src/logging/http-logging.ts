import type { Params } from 'nestjs-pino';
import type { LogLevel } from '../config/server-environment';

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

/** Each key at the top of a record and one or two objects down (`req.headers.authorization`). */
const redactPaths = RedactedKeys.flatMap((key) => {
  const plain = /^\w+$/.test(key);
  const top = plain ? key : `["${key}"]`;
  const member = plain ? `.${key}` : top;
  return [top, `*${member}`, `*.*${member}`];
});

/**
 * nestjs-pino's options for both apps: JSON lines on stdout, one per request with its request id
 * (Fastify's, see createHttpAdapter), health probes and metrics scrapes left out, and nothing
 * secret in any of it.
 */
export function httpLoggingParams(app: string, level: LogLevel): Params {
  return {
    pinoHttp: {
      level,
      base: { app },
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      // Nest mounts the logger as middleware, which sees `url` relative to its mount point ("/"):
      // the path is in `originalUrl`, as pino-http's own serializer reads it.
      autoLogging: {
        ignore: (request: { url?: string; originalUrl?: string }) =>
          isProbeOrScrape(request.originalUrl ?? request.url),
      },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : 'info',
      serializers: {
        req: (request: SerializedRequest) => ({
          id: request.id,
          method: request.method,
          url: withoutQueryValues(request.url),
          remoteAddress: request.remoteAddress,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
  };
}

interface SerializedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
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
