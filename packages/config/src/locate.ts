/**
 * Key locator: smol-toml returns values without positions, so this scanner walks the TOML source
 * once more and records where every key path is written (`[tunnel.t1.session.s1]` headers, dotted
 * keys, inline tables). It runs only on text smol-toml has already accepted, so it can be lenient:
 * it never throws, and anything it does not understand it skips to the end of the line.
 *
 * Invariants: lines and columns are 1-based; a table that is only implied (`tunnel.t1` by
 * `[tunnel.t1.session.s1]`) is recorded at its first mention; the first definition of a path wins;
 * array elements are recorded under their 0-based index (`lns.a.ip_range.1`), key and value both
 * at the element, so an issue about one element can point at it.
 */

/** A 1-based line and column in the source text. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Where a key path is written: the key itself and, for key/value pairs, the value. */
export interface KeyLocation {
  readonly key: Position;
  readonly value: Position | undefined;
}

/** Formats path segments the way issues print them: `tunnel.t1.session."odd name".cookie`. */
export function formatPath(segments: readonly string[]): string {
  return segments.map(formatSegment).join('.');
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
const formatSegment = (s: string): string => (BARE_KEY.test(s) ? s : JSON.stringify(s));

/** Locations of every key path written in `text`, keyed by {@link formatPath}, in file order. */
export class KeyLocator {
  readonly #starts: number[] = [0];
  /** Formatted path → [key offset, value offset or -1]; positions are computed only when asked. */
  readonly #paths = new Map<string, readonly [number, number]>();

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.#starts.push(i + 1);
    new Scanner(text, (parent, names, implied, key, value) => this.#record(parent, names, implied, key, value)).document();
  }

  /** Converts a character offset into a 1-based line and column. */
  position(offset: number): Position {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.#starts[lo]! + 1 };
  }

  /** The exact location of `segments`, or undefined when that path is not written in the text. */
  exact(segments: readonly string[]): KeyLocation | undefined {
    const at = this.#paths.get(formatPath(segments));
    if (!at) return undefined;
    return { key: this.position(at[0]), value: at[1] < 0 ? undefined : this.position(at[1]) };
  }

  /**
   * Best position for an issue at `segments`: the value (when `at` is 'value' and there is one),
   * else the key, else the nearest written ancestor (a missing key points at its table header),
   * else line 1 column 1.
   */
  locate(segments: readonly string[], at: 'key' | 'value' = 'key'): Position {
    for (let n = segments.length; n > 0; n--) {
      const loc = this.exact(segments.slice(0, n));
      if (loc) return n === segments.length && at === 'value' && loc.value ? loc.value : loc.key;
    }
    return { line: 1, column: 1 };
  }

  /** Every recorded path, in the order first written. */
  paths(): string[] {
    return [...this.#paths.keys()];
  }

  /**
   * Records `parent` + `names` (the last at `keyOffset` with its value, the implied tables before
   * it at `impliedOffset`) and returns the formatted path. `parent` is already formatted.
   */
  #record(parent: string, names: readonly string[], impliedOffset: number, keyOffset: number, valueOffset: number | undefined): string {
    let p = parent;
    names.forEach((name, n) => {
      p = p === '' ? formatSegment(name) : `${p}.${formatSegment(name)}`;
      if (this.#paths.has(p)) return;
      const last = n === names.length - 1;
      this.#paths.set(p, [last ? keyOffset : impliedOffset, last && valueOffset !== undefined ? valueOffset : -1]);
    });
    return p;
  }
}

type Record_ = (parent: string, names: readonly string[], impliedOffset: number, keyOffset: number, valueOffset: number | undefined) => string;

const BARE = /[A-Za-z0-9_-]+/y;
const KEY_START = /[A-Za-z0-9_\-"']/;
const SCALAR_END = new Set([...',]}\n#'].map((c) => c.charCodeAt(0)));

/** A forgiving recursive-descent pass over already-valid TOML. */
class Scanner {
  #i = 0;
  constructor(private readonly s: string, private readonly record: Record_) {}

  document(): void {
    let table = '';
    while (this.#i < this.s.length) {
      this.#skipBlank(true);
      if (this.#i >= this.s.length) break;
      const c = this.s[this.#i]!;
      if (c === '[') {
        const start = this.#i;
        const arrayTable = this.s[this.#i + 1] === '[';
        this.#i += arrayTable ? 2 : 1;
        const keys = this.#key();
        table = this.record('', keys.map((k) => k.name), start, start, undefined);
        this.#skipLine();
      } else if (this.#isKeyStart(c)) {
        this.#keyValue(table);
        this.#skipLine();
      } else {
        this.#skipLine();
      }
    }
  }

  #keyValue(prefix: string): void {
    const keys = this.#key();
    if (keys.length === 0) return;
    this.#skipBlank(false);
    if (this.s[this.#i] !== '=') return;
    this.#i++;
    this.#skipBlank(false);
    // Implied tables of a dotted key are recorded at the first key segment.
    const path = this.record(prefix, keys.map((k) => k.name), keys[0]!.at, keys[keys.length - 1]!.at, this.#i);
    this.#value(path);
  }

  #value(path: string): void {
    const c = this.s[this.#i];
    if (c === '"' || c === "'") this.#string();
    else if (c === '[') this.#array(path);
    else if (c === '{') this.#inlineTable(path);
    else while (this.#i < this.s.length && !SCALAR_END.has(this.s.charCodeAt(this.#i))) this.#i++;
  }

  #array(path: string): void {
    this.#i++;
    let index = 0;
    while (this.#i < this.s.length) {
      this.#skipBlank(true);
      const c = this.s[this.#i];
      if (c === ']') { this.#i++; return; }
      if (c === ',') { this.#i++; continue; }
      if (c === undefined) return;
      const before = this.#i;
      this.#value(this.record(path, [String(index++)], before, before, before));
      if (this.#i === before) this.#i++;
    }
  }

  #inlineTable(path: string): void {
    this.#i++;
    while (this.#i < this.s.length) {
      this.#skipBlank(true);
      const c = this.s[this.#i];
      if (c === '}') { this.#i++; return; }
      if (c === ',') { this.#i++; continue; }
      if (c === undefined) return;
      const before = this.#i;
      if (this.#isKeyStart(c)) this.#keyValue(path);
      if (this.#i === before) this.#i++;
    }
  }

  /** A dotted key: each segment with its decoded name and offset. */
  #key(): { name: string; at: number }[] {
    const out: { name: string; at: number }[] = [];
    for (;;) {
      this.#skipBlank(false);
      const at = this.#i;
      const c = this.s[this.#i];
      if (c === '"' || c === "'") {
        out.push({ name: this.#string(true), at });
      } else {
        BARE.lastIndex = this.#i;
        const m = BARE.exec(this.s);
        if (!m) return out;
        this.#i += m[0].length;
        out.push({ name: m[0], at });
      }
      this.#skipBlank(false);
      if (this.s[this.#i] !== '.') return out;
      this.#i++;
    }
  }

  /** Reads any of the four TOML string forms and returns its (approximately) decoded text. */
  #string(decode = false): string {
    const q = this.s[this.#i]!;
    const triple = this.s.startsWith(q.repeat(3), this.#i);
    const delim = triple ? q.repeat(3) : q;
    const start = this.#i + delim.length;
    let j = start;
    while (j < this.s.length) {
      if (q === '"' && this.s[j] === '\\') { j += 2; continue; }
      if (this.s.startsWith(delim, j)) break;
      if (!triple && this.s[j] === '\n') break;
      j++;
    }
    // A multi-line string may end with up to two extra quotes before the delimiter.
    if (triple) while (this.s[j + 3] === q) j++;
    const raw = this.s.slice(start, j);
    this.#i = Math.min(this.s.length, j + delim.length);
    if (q === "'" || !decode) return raw;
    try { return JSON.parse(`"${raw.replace(/\n/g, '\\n')}"`) as string; } catch { return raw; }
  }

  #isKeyStart(c: string): boolean {
    return KEY_START.test(c);
  }

  #skipBlank(newlines: boolean): void {
    while (this.#i < this.s.length) {
      const c = this.s[this.#i]!;
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.#i++;
      else if (c === '#') this.#skipComment();
      else break;
    }
  }

  #skipComment(): void {
    while (this.#i < this.s.length && this.s[this.#i] !== '\n') this.#i++;
  }

  /** Skips trailing blanks and a comment, then the newline. */
  #skipLine(): void {
    while (this.#i < this.s.length && this.s[this.#i] !== '\n') this.#i++;
    this.#i++;
  }
}
