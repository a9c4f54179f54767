import { InvalidOptionArgument } from '../commander-tree';

/** `--scope a --scope "b c"` or `--scope a,b`: every value, in order, once. */
export function collectNames(value: string, previous: string[] | undefined): string[] {
  const names = value.split(/[\s,]+/).filter((name) => name !== '');
  if (names.length === 0) throw new InvalidOptionArgument('it is empty');
  return [...new Set([...(previous ?? []), ...names])];
}

export function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidOptionArgument('it must be a whole number of seconds');
  return Number(value);
}

/** `--claim tenant=acme`: the type is before the first '=', the value after it. */
export function collectClaim(
  value: string,
  previous: { type: string; value: string }[] | undefined,
): { type: string; value: string }[] {
  const separator = value.indexOf('=');
  if (separator <= 0) throw new InvalidOptionArgument('it must be type=value');
  return [
    ...(previous ?? []),
    { type: value.slice(0, separator), value: value.slice(separator + 1) },
  ];
}

/** A secret given as `-` is read from stdin (its first line), so it stays out of shell history. */
export async function readSecret(value: string | undefined): Promise<string | undefined> {
  if (value !== '-') return value;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}
