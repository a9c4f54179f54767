import { IdentityEnvironment, validateWith } from '@nest-identity/shared';
import { toSettings } from '../config/identity-settings';

describe('IDENTITY_DPOP_NONCE', () => {
  const settingsFor = (env: Record<string, string>) =>
    toSettings(validateWith(IdentityEnvironment, env, 'the environment')).dpop;

  it('requires server nonces by default; off turns them off', () => {
    expect(settingsFor({})).toEqual({ requireNonce: true });
    expect(settingsFor({ IDENTITY_DPOP_NONCE: 'on' })).toEqual({ requireNonce: true });
    expect(settingsFor({ IDENTITY_DPOP_NONCE: 'off' })).toEqual({ requireNonce: false });
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => settingsFor({ IDENTITY_DPOP_NONCE: 'yes' })).toThrow(/IDENTITY_DPOP_NONCE/);
  });
});
