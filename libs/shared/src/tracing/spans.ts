import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapSetter,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { OAuthError } from '../oauth/oauth-error';

/**
 * The spans of this project's own code (docs/operations.md, "Tracing"). Only the
 * OpenTelemetry API is used here: while no SDK is registered (startTracing, by the hosts, when
 * an exporter is configured), every span is the API's no-op span and nothing is propagated.
 */
const tracer = trace.getTracer('nest-identity');

/** A span's attributes as this project names them beside OpenTelemetry's own. */
export const SpanAttributes = {
  ClientId: 'oauth.client_id',
  GrantType: 'oauth.grant_type',
  Outcome: 'oauth.outcome',
  OAuthError: 'oauth.error',
} as const;

/**
 * Runs `work` in a new span, active while it runs (so spans and log lines it makes belong to
 * it); a failure marks the span as an error, with the error's name and message, and is rethrown.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * An outgoing HTTP call as a client span: method and URL (without its query, which may carry
 * anything), and the status the work reports with `answered`. The W3C `traceparent` for the
 * call's headers comes from traceHeaders, inside `work`.
 */
export function inClientSpan<T>(
  name: string,
  method: string,
  url: string | URL,
  work: (answered: (status: number) => void) => Promise<T>,
  attributes: Attributes = {},
): Promise<T> {
  return inSpan(
    name,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_FULL]: withoutQuery(url),
        ...attributes,
      },
    },
    (span) =>
      work((status) => {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      }),
  );
}

/** Marks a span as failed by `error` (its name and message; never a request's values). */
export function markFailed(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}

/** The active span, to add attributes to (undefined while tracing is off). */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

const headersSetter: TextMapSetter<Headers> = {
  set: (headers, key, value) => headers.set(key, value),
};

/**
 * `headers` with the active span's W3C trace context (`traceparent`, W3C Trace Context) added,
 * so the server called makes its span a child of ours. Unchanged while tracing is off.
 */
export function traceHeaders<T extends Headers | Record<string, string>>(headers: T): T {
  if (headers instanceof Headers) propagation.inject(context.active(), headers, headersSetter);
  else propagation.inject(context.active(), headers);
  return headers;
}

/** The trace context a request's headers carry (`traceparent`), as the parent of its server span. */
export function incomingTraceContext(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** The active span's ids for a log line: `trace_id` and `span_id`, or nothing outside a span. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

function withoutQuery(url: string | URL): string {
  const text = String(url);
  const end = text.search(/[?#]/);
  return end < 0 ? text : text.slice(0, end);
}

/**
 * The OAuth outcome of a request on its span: `refused` with the error code (RFC 6749 §5.2)
 * for an OAuthError, which is the client's doing and so no span error; anything else marks
 * the span failed.
 */
export function recordRefusal(span: Span, error: unknown): void {
  if (error instanceof OAuthError) {
    span.setAttributes({
      [SpanAttributes.Outcome]: 'refused',
      [SpanAttributes.OAuthError]: error.error,
    });
  } else {
    span.setAttribute(SpanAttributes.Outcome, 'failed');
    markFailed(span, error);
  }
}

/** The authority's store calls, one span each, named for the store abstraction's method. */
export const StoreSpans = {
  FindClient: 'ClientStore.findClientById',
  ActiveKey: 'SigningKeyStore.getActiveKey',
  SaveReferenceToken: 'ReferenceTokenStore.save',
} as const;
