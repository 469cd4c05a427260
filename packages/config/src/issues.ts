/**
 * Config issues: one problem in a config file, with its TOML path, line and column, and the
 * `FILE:LINE:COL: path: message` rendering that compilers use, so editors can jump to it.
 */

/** One problem found in a config file. Every issue of a file is reported at once. */
export interface ConfigIssue {
  /** TOML path of the offending key, e.g. `tunnel.t1.session.s1.cookie`; empty for TOML syntax errors. */
  readonly path: string;
  /** 1-based line of the key or value (of the table header when the key is missing). */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** What was expected and what was found: `expected an integer 1..65535 (got 70000)`. */
  readonly message: string;
  /** The file the text came from, when known. */
  readonly file?: string;
}

/** Renders an issue as `FILE:LINE:COL: path: message` (the file and the path are left out when unknown). */
export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file !== undefined ? `${issue.file}:` : ''}${issue.line}:${issue.column}`;
  return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** Describes a parsed TOML value for the `(got ...)` part of a message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) ? `${value.toFixed(1)} (a float)` : `${value} (a float)`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || value === undefined) return 'nothing';
  if (value instanceof Date) return `a date-time ${value.toISOString()}`;
  // smol-toml makes tables with a null prototype, which String() cannot print.
  return 'a table';
}
