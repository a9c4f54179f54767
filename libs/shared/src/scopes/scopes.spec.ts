import { hasScopes, isScopeToken, parseScopeParameter, readScopeClaim } from './scopes';

describe('scopes', () => {
  it('splits a scope parameter on spaces and folds repeated names, keeping order', () => {
    expect(parseScopeParameter('api2 api1  api2 ')).toEqual(['api2', 'api1']);
    expect(parseScopeParameter('')).toEqual([]);
  });

  it('recognises RFC 6749 §3.3 scope tokens', () => {
    expect(isScopeToken('api1')).toBe(true);
    expect(isScopeToken('https://api.example.com/read')).toBe(true);
    expect(isScopeToken('a"b')).toBe(false);
    expect(isScopeToken('a\\b')).toBe(false);
    expect(isScopeToken('é')).toBe(false);
    expect(isScopeToken('')).toBe(false);
  });

  it('reads a scope claim given as a string or as an array', () => {
    expect(readScopeClaim('api1 api2')).toEqual(['api1', 'api2']);
    expect(readScopeClaim(['api1', 7, 'api2'])).toEqual(['api1', 'api2']);
    expect(readScopeClaim(undefined)).toEqual([]);
    expect(readScopeClaim({ api1: true })).toEqual([]);
  });

  it('checks that every required scope is granted', () => {
    expect(hasScopes(['api1', 'api2'], ['api1'])).toBe(true);
    expect(hasScopes(['api2'], ['api1'])).toBe(false);
    expect(hasScopes(['api1'], [])).toBe(true);
  });
});
