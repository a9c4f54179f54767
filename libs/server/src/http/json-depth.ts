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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
