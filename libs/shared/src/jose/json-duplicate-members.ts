const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether JSON text (text JSON.parse has already accepted) has an object with two members of the
 * same name, at any depth; names are compared decoded, so `"alg"` and `"\u0061lg"` are the same.
 * JSON.parse silently keeps the last of them, and a JWS header or claims set must mean one thing
 * (RFC 7515 §4, RFC 7519 §4): `{"alg":"none","alg":"RS256"}` is refused, not read either way.
 * One pass over the text; only member names are kept.
 */
export function hasDuplicateMemberNames(json: string): boolean {
  // The names seen in each object still open, innermost last. A name always belongs to the
  // innermost open object, so arrays need no tracking.
  const open: Set<string>[] = [];
  let at = 0;
  while (at < json.length) {
    const char = json.charCodeAt(at);
    if (char === OPEN_BRACE) open.push(new Set());
    else if (char === CLOSE_BRACE) open.pop();
    else if (char === QUOTE) {
      const end = closingQuote(json, at);
      // In valid JSON, only a member name is followed by a colon.
      if (json.charCodeAt(skipWhitespace(json, end + 1)) === COLON) {
        const members = open.at(-1);
        const name = memberName(json, at, end);
        if (members?.has(name)) return true;
        members?.add(name);
      }
      at = end;
    }
    at++;
  }
  return false;
}

/** The index of the quote that ends the string starting at `start`. */
function closingQuote(json: string, start: number): number {
  let at = start + 1;
  while (at < json.length) {
    const char = json.charCodeAt(at);
    if (char === QUOTE) return at;
    at += char === BACKSLASH ? 2 : 1;
  }
  return json.length;
}

function skipWhitespace(json: string, from: number): number {
  let at = from;
  while (at < json.length && ' \t\n\r'.includes(json[at])) at++;
  return at;
}

/** The decoded name: escapes (rare in names) are left to JSON.parse. */
function memberName(json: string, start: number, end: number): string {
  const raw = json.slice(start + 1, end);
  return raw.includes('\\') ? (JSON.parse(json.slice(start, end + 1)) as string) : raw;
}
