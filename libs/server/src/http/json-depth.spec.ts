import { MAX_JSON_DEPTH, nestsDeeperThan, valueNestsDeeperThan } from './json-depth';

describe('nestsDeeperThan (the JSON body depth bound)', () => {
  const nested = (depth: number, open = '[', close = ']') =>
    `${open.repeat(depth)}${close.repeat(depth)}`;

  it('counts arrays and objects alike, up to the bound included', () => {
    expect(nestsDeeperThan(nested(3), 3)).toBe(false);
    expect(nestsDeeperThan(nested(4), 3)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":[{}]}}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":{"b":[{}]}}', 3)).toBe(true);
  });

  it('counts depth, not the number of values', () => {
    expect(nestsDeeperThan(`[${'[],'.repeat(1000)}[]]`, 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[{{{{' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ a: 'say \\"[[[[\\"', b: '"{{{' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ a: '\\' }) + '[[', 1)).toBe(true);
  });

  it('refuses the 1,500 levels (4 KB) that overflowed the stack, and allows the admin bodies', () => {
    expect(nestsDeeperThan(nested(1500), MAX_JSON_DEPTH)).toBe(true);
    const client = { jwks: { keys: [{ kty: 'RSA', x5c: ['MII…'] }] }, claims: [{ type: 't' }] };
    expect(nestsDeeperThan(JSON.stringify(client), MAX_JSON_DEPTH)).toBe(false);
  });
});

describe('valueNestsDeeperThan (the same bound on a body a host app parsed)', () => {
  it('counts as nestsDeeperThan counts the text', () => {
    for (const text of [
      '[[[]]]',
      '{"a":{"b":[{}]}}',
      '{"a":"[[[["}',
      '1',
      '"x"',
      'null',
      '[1,[2,[3]]]',
    ]) {
      for (const bound of [0, 1, 2, 3, 4]) {
        expect([text, bound, valueNestsDeeperThan(JSON.parse(text), bound)]).toEqual([
          text,
          bound,
          nestsDeeperThan(text, bound),
        ]);
      }
    }
  });

  it('refuses 1,500 levels without overflowing the stack itself', () => {
    expect(
      valueNestsDeeperThan(JSON.parse(`${'['.repeat(1500)}${']'.repeat(1500)}`), MAX_JSON_DEPTH),
    ).toBe(true);
  });
});
