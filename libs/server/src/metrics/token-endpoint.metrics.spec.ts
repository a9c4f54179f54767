import { Registry } from 'prom-client';
import {
  ClientAuthenticationFailed,
  ClientAuthenticationFailures,
  TokenIssued,
} from '../audit/audit-events';
import { TokenEndpointMetrics } from './token-endpoint.metrics';

describe('TokenEndpointMetrics', () => {
  let registry: Registry;
  let metrics: TokenEndpointMetrics;

  beforeEach(() => {
    registry = new Registry();
    metrics = new TokenEndpointMetrics(registry);
  });

  const values = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.map(({ labels, value }) => ({
      labels,
      value,
    }));

  it('counts issued tokens by client and grant type', async () => {
    metrics.tokenIssued(new TokenIssued('a', 'client_credentials', 'api1', 3600, '127.0.0.1'));
    metrics.tokenIssued(new TokenIssued('a', 'client_credentials', 'api1', 3600, '127.0.0.1'));
    metrics.tokenIssued(new TokenIssued('b', 'client_credentials', 'api1', 3600, '127.0.0.1'));
    expect(await values('identity_tokens_issued_total')).toEqual([
      { labels: { client_id: 'a', grant_type: 'client_credentials' }, value: 2 },
      { labels: { client_id: 'b', grant_type: 'client_credentials' }, value: 1 },
    ]);
  });

  it('counts failed authentications by a fixed reason, never by the presented client id', async () => {
    for (const reason of Object.values(ClientAuthenticationFailures)) {
      metrics.authenticationFailed(
        new ClientAuthenticationFailed(`made-up-${reason}`, 'client_secret_basic', reason, '::1'),
      );
    }
    metrics.lockedOut();
    const counted = await values('identity_client_authentication_failures_total');
    expect(counted.map(({ labels }) => labels.reason).sort()).toEqual(
      [
        'disabled_client',
        'locked_out',
        'no_authentication',
        'no_secret',
        'unknown_client',
        'wrong_secret',
        'assertion_algorithm_refused',
        'assertion_claims_invalid',
        'assertion_key_unknown',
        'assertion_keys_unavailable',
        'assertion_malformed',
        'assertion_replayed',
        'assertion_signature_invalid',
        'assertion_type_unsupported',
        'no_assertion_keys',
      ].sort(),
    );
    expect(counted.every(({ value }) => value === 1)).toBe(true);
    expect(JSON.stringify(counted)).not.toContain('made-up');
  });

  it('counts throttled token requests by throttle', async () => {
    metrics.throttled('address');
    metrics.throttled('client');
    metrics.throttled('client');
    expect(await values('identity_token_requests_throttled_total')).toEqual([
      { labels: { throttle: 'address' }, value: 1 },
      { labels: { throttle: 'client' }, value: 2 },
    ]);
  });

  it('keeps counting in the same counters when the app is built again in one process', () => {
    metrics.throttled('client');
    new TokenEndpointMetrics(registry).throttled('client');
    expect(registry.getSingleMetric('identity_token_requests_throttled_total')).toBeDefined();
  });
});
