/**
 * Readers kl2tpd's own keys share between `[tunnel.*]` sessions and `[lns.*]` tables: a pppd
 * options file checked at load time (at most 1 MiB), and an absolute path.
 */
import { fail, filePath, parsePppdOptions, readableFile, readTextFileSync, type Reader } from '@l2tp/config';

/**
 * `pppd_args`: a readable file in pppd options syntax (checked at load time, so `--check-config`
 * catches an unterminated quote); the value is the resolved path. Read the words with
 * `parsePppdOptions` from `@l2tp/config` when spawning pppd.
 */
export const pppdOptionsFile: Reader<string> = (v, ctx) => {
  const r = readableFile(v, ctx);
  if (!r.ok) return r;
  let text: string;
  try {
    text = readTextFileSync(r.value); // at most 1 MiB, like the config file
  } catch (e) {
    return fail('a pppd options file', `${JSON.stringify(v)}: ${(e as Error).message.replace(`${r.value}: `, '')}`);
  }
  const words = parsePppdOptions(text);
  if (!words.ok) return fail('a pppd options file', `${JSON.stringify(v)}: line ${words.line}: ${words.message}`);
  return r;
};

/** An absolute path (`pppd_path`). */
export const absolutePath: Reader<string> = (v, ctx) =>
  typeof v === 'string' && v.startsWith('/') ? filePath(v, ctx) : fail('an absolute path');
