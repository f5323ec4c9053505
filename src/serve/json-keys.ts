/**
 * How many times `key` is a key of the top-level object of `text`, a JSON text that JSON.parse has taken. JSON.parse
 * keeps the last of duplicate keys and other parsers may keep the first: the endpoint refuses a body whose `model`
 * is ambiguous rather than route by one and have the server read another. Not a parser: strings are skipped by
 * their closing quote (found with indexOf), only the nesting depth outside them is followed, and a key is decoded
 * only when it holds an escape (`"mod\u0065l"`). Pure.
 */
export function countTopLevelKey(text: string, key: string): number {
  let depth = 0;
  let count = 0;
  /** At depth 1 of an object, the next string is a key (after `{` or `,`). */
  let keyNext = false;
  let topIsObject = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (depth === 1 && topIsObject && keyNext) {
        const raw = text.slice(i, end + 1);
        if ((raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1)) === key) count++;
        keyNext = false;
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth === 1) {
        topIsObject = c === OPEN_BRACE;
        keyNext = topIsObject;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (c === COMMA && depth === 1) keyNext = topIsObject;
  }
  return count;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** The index of the quote that closes the string opening at `open` (one not escaped by an odd run of backslashes). */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const at = text.indexOf('"', from);
    if (at === -1) return text.length - 1;
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
    from = at + 1;
  }
}
