/**
 * How deeply a JSON body may nest arrays and objects. The admin API's deepest body (a client
 * with a JWK Set and its `x5c` chain) nests 4 levels; class-transformer, which turns a body into
 * its DTO, recurses once per level and overflowed the stack at about 1,500 (a 4 KB body).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether JSON `text` nests arrays and objects deeper than `maxDepth`: one pass over the raw
 * text, before anything recursive reads it. Brackets inside strings do not count; malformed text
 * is left to the parser.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * Whether a value a host's JSON parser produced (the authority mounted in an app with its own
 * body parser) nests arrays and objects deeper than `maxDepth`, counted as nestsDeeperThan counts
 * brackets. Without recursion: the point is to refuse before anything recursive reads it.
 */
export function valueNestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return true;
    for (const member of Object.values(next.value)) pending.push({ value: member, depth });
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
