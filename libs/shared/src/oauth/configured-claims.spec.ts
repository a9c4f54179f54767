import { claimTypeProblem, groupConfiguredClaims, ReservedClaimTypes } from './configured-claims';

describe('configured claims', () => {
  it.each([...ReservedClaimTypes])('refuses the protocol claim %s', (type) => {
    expect(claimTypeProblem(type)).toBe(
      `"${type}" is a protocol claim and cannot be configured (fix: choose another claim type)`,
    );
  });

  it.each(['constructor', 'toString', '__proto__', 'prototype', 'hasOwnProperty', 'valueOf'])(
    'refuses %s, a name every JavaScript object has',
    (type) => {
      expect(claimTypeProblem(type)).toBe(
        `"${type}" is a name every JavaScript object has and cannot be a claim type (fix: choose another claim type)`,
      );
    },
  );

  it.each(['tenant', 'roles', 'groups', 'entitlements', 'Constructor', 'proto'])(
    'accepts %s',
    (type) => expect(claimTypeProblem(type)).toBeUndefined(),
  );

  it('groups claims in a null-prototype object: a type once is a string, several times an array', () => {
    const grouped = groupConfiguredClaims([
      { type: 'tenant', value: 'acme' },
      { type: 'role', value: 'a' },
      { type: 'role', value: 'b' },
      { type: 'constructor', value: 'c' },
      { type: '__proto__', value: 'p' },
    ]);
    expect(Object.getPrototypeOf(grouped)).toBeNull();
    expect(JSON.parse(JSON.stringify(grouped))).toEqual({
      tenant: 'acme',
      role: ['a', 'b'],
      constructor: 'c',
      ['__proto__']: 'p',
    });
    expect(Object.keys(grouped)).toEqual(['tenant', 'role', 'constructor', '__proto__']);
  });
});
