import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Registry, type Counter } from 'prom-client';
import { counterIn } from '@nest-identity/shared/hosting';
import {
  ClientAuthenticationFailures as Failures,
  type ClientAuthenticationFailed,
  type ClientAuthenticationFailure,
  type TokenIssued,
} from '../audit/audit-events';

/**
 * The `reason` label: a fixed set, never the presented client id. Anyone can present any id, so
 * a label per id would let a scanner grow the series (and Prometheus's memory) without bound;
 * which ids fail is in the audit events, where each one is a log line and costs nothing later.
 */
export const FailureReasonLabels: Record<ClientAuthenticationFailure, string> = {
  [Failures.NoAuthentication]: 'no_authentication',
  [Failures.UnknownClient]: 'unknown_client',
  [Failures.DisabledClient]: 'disabled_client',
  [Failures.NoSecret]: 'no_secret',
  [Failures.WrongSecret]: 'wrong_secret',
  [Failures.AssertionMalformed]: 'assertion_malformed',
  [Failures.AssertionTypeUnsupported]: 'assertion_type_unsupported',
  [Failures.AssertionAlgorithmRefused]: 'assertion_algorithm_refused',
  [Failures.NoAssertionKeys]: 'no_assertion_keys',
  [Failures.AssertionKeysUnavailable]: 'assertion_keys_unavailable',
  [Failures.AssertionKeyUnknown]: 'assertion_key_unknown',
  [Failures.AssertionSignatureInvalid]: 'assertion_signature_invalid',
  [Failures.AssertionClaimsInvalid]: 'assertion_claims_invalid',
  [Failures.AssertionReplayed]: 'assertion_replayed',
};
export const LOCKED_OUT = 'locked_out';

/**
 * The token endpoint's counters. Issued tokens and failed authentications come from the audit
 * events (nothing added to the token path); lock-outs and throttles, which are not audit events
 * (a flood would flood the log), are reported by ClientAuthenticator and TokenThrottlerGuard.
 */
@Injectable()
export class TokenEndpointMetrics {
  private readonly issued: Counter<'client_id' | 'grant_type'>;
  private readonly failures: Counter<'reason'>;
  private readonly throttledRequests: Counter<'throttle'>;

  constructor(registry: Registry) {
    // Issued to authenticated clients only: as many series as configured clients and grants.
    this.issued = counterIn(registry, {
      name: 'identity_tokens_issued_total',
      help: 'Access tokens issued, by client and grant type',
      labelNames: ['client_id', 'grant_type'],
    });
    this.failures = counterIn(registry, {
      name: 'identity_client_authentication_failures_total',
      help: 'Failed client authentications at the token endpoint, by reason',
      labelNames: ['reason'],
    });
    this.throttledRequests = counterIn(registry, {
      name: 'identity_token_requests_throttled_total',
      help: 'Token requests refused by a rate limit (429), by throttle: address or client',
      labelNames: ['throttle'],
    });
  }

  @OnEvent('audit.token.issued')
  tokenIssued(event: TokenIssued): void {
    this.issued.inc({ client_id: event.clientId, grant_type: event.grantType });
  }

  @OnEvent('audit.client.authentication_failed')
  authenticationFailed(event: ClientAuthenticationFailed): void {
    this.failures.inc({ reason: FailureReasonLabels[event.reason] });
  }

  /** A request refused because its client id is locked out after repeated failures. */
  lockedOut(): void {
    this.failures.inc({ reason: LOCKED_OUT });
  }

  throttled(throttle: string): void {
    this.throttledRequests.inc({ throttle });
  }
}
