import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { tracingRequested } from './tracing-environment';

let provider: NodeTracerProvider | undefined;

/**
 * Starts OpenTelemetry tracing for a host process when the standard variables ask for it
 * (tracingRequested; docs/operations.md, "Tracing"), before the app is created: spans batched
 * to an OTLP/HTTP (JSON) exporter that reads its own OTEL_EXPORTER_OTLP_* variables, the
 * service named by OTEL_SERVICE_NAME (else `service`) and OTEL_RESOURCE_ATTRIBUTES, W3C trace
 * context propagated. Returns whether it is on; when off, nothing is registered and the
 * libraries' spans stay the API's no-ops. Throws ConfigurationError on an unsupported exporter.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (provider !== undefined || !tracingRequested(env)) return provider !== undefined;
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }))
    .merge(detectResources({ detectors: [envDetector] }));
  provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return true;
}

/** Whether startTracing turned tracing on in this process. */
export function tracingStarted(): boolean {
  return provider !== undefined;
}

/** Exports the spans still batched and stops the exporter (on shutdown); nothing when off. */
export async function flushTracing(): Promise<void> {
  const started = provider;
  provider = undefined;
  await started?.shutdown();
}
