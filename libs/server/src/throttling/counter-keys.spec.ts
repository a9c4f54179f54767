import { createHash } from 'node:crypto';
import { counterKeys } from './counter-keys';

describe('counterKeys', () => {
  const digest = (text: string) =>
    `sha256:${createHash('sha256').update(text).digest('base64url')}`;

  it('keeps a long client id and a short one spelled like its digest apart', () => {
    const long = 'x'.repeat(300);
    for (const spelled of [digest(long), digest(` ${long}`)])
      expect(counterKeys.lockoutId(long)).not.toBe(counterKeys.lockoutId(spelled));
    expect(counterKeys.lockout(long, '192.0.2.1')).not.toBe(
      counterKeys.lockout(digest(`192.0.2.1 ${long}`), '192.0.2.1'),
    );
  });

  it('keys a client id at one address apart from the same id elsewhere', () => {
    expect(counterKeys.lockout('m2m client', '192.0.2.1')).toBe('lockout:192.0.2.1 m2m client');
    expect(counterKeys.lockout('m2m client', '192.0.2.2')).not.toBe(
      counterKeys.lockout('m2m client', '192.0.2.1'),
    );
  });
});
