import { ConfigurationError } from '../config/validate-config';

/**
 * The OpenTelemetry variables the apps themselves read (the SDK reads further standard ones):
 * the README's settings table lists each, and its spec checks it against this list.
 */
export const TracingVariables = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_SDK_DISABLED',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
] as const;

/**
 * Whether the standard OpenTelemetry variables ask for traces (docs/operations.md, "Tracing"):
 * on when OTEL_TRACES_EXPORTER is `otlp` or an OTLP endpoint is set
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); off when none is, when
 * OTEL_TRACES_EXPORTER is `none`, or when OTEL_SDK_DISABLED is `true`. The apps export OTLP over
 * HTTP as JSON only: any other exporter or protocol is refused, not silently ignored.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (lower(env.OTEL_SDK_DISABLED) === 'true') return false;
  const problems: string[] = [];
  const exporters = (lower(env.OTEL_TRACES_EXPORTER) ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unsupported = exporters.filter((name) => name !== 'otlp' && name !== 'none');
  if (unsupported.length > 0)
    problems.push(
      `OTEL_TRACES_EXPORTER: "${unsupported.join(',')}" is not supported (otlp or none)`,
    );
  const protocol =
    lower(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? lower(env.OTEL_EXPORTER_OTLP_PROTOCOL);
  if (protocol !== undefined && protocol !== 'http/json')
    problems.push(
      `OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported (the apps send http/json)`,
    );
  if (problems.length > 0) throw new ConfigurationError('the environment', problems);
  if (exporters.includes('none')) return false;
  return (
    exporters.includes('otlp') ||
    present(env.OTEL_EXPORTER_OTLP_ENDPOINT) ||
    present(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  );
}

function lower(value: string | undefined): string | undefined {
  const trimmed = value?.trim().toLowerCase();
  return trimmed === '' ? undefined : trimmed;
}

function present(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}
