/**
 * pppd options files (`pppd_args`, NetworkManager-l2tp's `ppp-options`), split into argv words by
 * pppd's own rules (pppd `options.c` `getword()`): words separated by white space; `#` at the start
 * of a word comments out the rest of the line; single or double quotes group a word (and may start
 * mid-word); backslash escapes (`\n`, `\t`, `\s` for a space, octal, `\x` hex, `\^C` control
 * characters, backslash-newline continues the line). go-l2tp only splits on white space, so
 * `user "name"` reached pppd with the quotes; this reproduces what pppd itself reads from `file`.
 */

/** Result of splitting an options file: the words, or the first problem with its 1-based line. */
export type PppdOptionsResult =
  | { readonly ok: true; readonly words: readonly string[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', s: ' ', t: '\t', v: '\v' };

/** Splits pppd options text into words; an unterminated quote is an error (pppd only warns). */
export function parsePppdOptions(text: string): PppdOptionsResult {
  const words: string[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
  while (i < n) {
    // Between words: white space, comments, line continuations.
    const c = text[i]!;
    if (c === '\n') { line++; i++; continue; }
    if (isSpace(c)) { i++; continue; }
    if (c === '\\' && text[i + 1] === '\n') { line++; i += 2; continue; }
    if (c === '#') { while (i < n && text[i] !== '\n') i++; continue; }
    let word = '';
    let quote: string | undefined;
    const startLine = line;
    while (i < n) {
      const ch = text[i]!;
      if (ch === '\\') {
        const e = text[i + 1];
        i += 2;
        if (e === undefined) break;
        if (e === '\n') { line++; continue; }
        if (SIMPLE_ESCAPES[e] !== undefined) { word += SIMPLE_ESCAPES[e]; continue; }
        if (/[0-7]/.test(e)) {
          let digits = e;
          while (digits.length < 3 && /[0-7]/.test(text[i] ?? '')) digits += text[i++];
          word += String.fromCharCode(parseInt(digits, 8) & 0xff);
          continue;
        }
        if (e === 'x' && /[0-9a-fA-F]/.test(text[i] ?? '')) {
          let digits = text[i++]!;
          if (/[0-9a-fA-F]/.test(text[i] ?? '')) digits += text[i++];
          word += String.fromCharCode(parseInt(digits, 16));
          continue;
        }
        if (e === '^' && text[i] !== undefined) { word += String.fromCharCode(text.charCodeAt(i++) & 0x1f); continue; }
        word += e;
        continue;
      }
      if (quote !== undefined) {
        if (ch === quote) quote = undefined;
        else word += ch;
        if (ch === '\n') line++;
        i++;
        continue;
      }
      if (ch === '"' || ch === "'") { quote = ch; i++; continue; }
      if (isSpace(ch)) break;
      word += ch;
      i++;
    }
    if (quote !== undefined) return { ok: false, line: startLine, message: `unterminated ${quote} quote` };
    words.push(word);
  }
  return { ok: true, words };
}
