/**
 * What is read of an HTTP request, as both of Nest's adapters give it: Fastify's request and
 * Express's (which is Node's IncomingMessage) share these properties. The host's own settings
 * decide them: `protocol`, `host` and `ip` honour Fastify's `trustProxy` or Express's
 * `trust proxy` alike.
 */
export interface UrlOfRequest {
  method?: string;
  /** The path and query; Express's may be relative to a mounted router, hence `originalUrl`. */
  url?: string;
  /** Express: the path and query as the client sent them. */
  originalUrl?: string;
  /** `http` or `https`. */
  protocol?: string;
  /** The Host (with its port), or X-Forwarded-Host when the proxy is trusted. */
  host?: string;
  headers?: Record<string, unknown>;
}

/** The request's headers as received, one name and one value after another (Node's `rawHeaders`). */
export interface RawHeadersOfRequest {
  /** Express: the request is Node's own. */
  rawHeaders?: readonly string[];
  /** Fastify: Node's request is `raw`. */
  raw?: { readonly rawHeaders: readonly string[] };
}

/** The path the request was sent to, without query or fragment. */
export function requestPath(request: UrlOfRequest): string {
  const target = request.originalUrl ?? request.url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/**
 * The URL the request was sent to, without query or fragment (RFC 9449 §4.3: what `htu` must
 * name): `publicUrl` and the path when the server knows its external URL, else the request's own
 * protocol and host (as the host's proxy settings let its adapter read them). Undefined when
 * there is no host.
 */
export function requestUrl(
  request: UrlOfRequest,
  publicUrl: string | undefined,
): string | undefined {
  const path = requestPath(request);
  if (publicUrl !== undefined) return `${publicUrl}${path}`;
  const host = request.host ?? request.headers?.host;
  if (typeof host !== 'string' || host === '') return undefined;
  return `${request.protocol ?? 'http'}://${host}${path}`;
}

/**
 * Every value of header `name` (lower case), from the raw list: Node folds repeated unknown
 * headers into one comma-joined value, which would hide a second one.
 */
export function headerValues(request: RawHeadersOfRequest, name: string): string[] {
  const raw = request.raw?.rawHeaders ?? request.rawHeaders ?? [];
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() === name) values.push(raw[i + 1]);
  }
  return values;
}
