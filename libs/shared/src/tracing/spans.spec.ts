import { trace } from '@opentelemetry/api';
import { InvalidScope } from '../oauth/oauth-error';
import { activeTraceIds, inClientSpan, inSpan, traceHeaders } from './spans';

// No SDK is registered in unit tests: the state of every process whose OTEL_* variables name no
// exporter (docs/operations.md, "Tracing"). The spans must then cost nothing visible.
describe('spans while tracing is off', () => {
  it('runs the work and passes its result and its failure through unchanged', async () => {
    await expect(inSpan('work', {}, () => Promise.resolve(42))).resolves.toBe(42);
    const failure = new InvalidScope('nope');
    await expect(inSpan('work', {}, () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      inClientSpan('call', 'GET', 'https://api.example/x?token=abc', (answered) => {
        answered(503);
        return Promise.resolve('answer');
      }),
    ).resolves.toBe('answer');
  });

  it('adds no traceparent to outgoing headers, and no ids to log lines', async () => {
    await inSpan('work', {}, () => {
      const headers = traceHeaders({ accept: 'application/json' });
      expect(headers).toEqual({ accept: 'application/json' });
      const fetchHeaders = traceHeaders(new Headers({ accept: 'application/json' }));
      expect([...fetchHeaders.keys()]).toEqual(['accept']);
      expect(activeTraceIds()).toEqual({});
      expect(trace.getActiveSpan()).toBeUndefined();
      return Promise.resolve();
    });
  });
});
