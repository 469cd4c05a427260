// Markdown man pages (docs/NAME.SECTION.md) to roff with marked-man, the maintained marked
// extension for man output. Our pages are written for GitHub first, so two things are adapted here
// rather than in the sources: the title `# kl2tpd(8)` plus a `## NAME` section become marked-man's
// `# kl2tpd(8) -- description` header (it writes the NAME line apropos reads), and the option
// lists, written as definition lists (`term` then `: definition`, continuation lines indented),
// become `.TP` paragraphs, which marked does not parse by itself.
import { Marked } from 'marked';
import markedMan from 'marked-man';


/** A definition list item: a one-line term, then `: definition` with indented continuation lines. */
const definition = {
  name: 'definition',
  level: 'block',
  start(src) {
    const m = /\n[^\n]+\n: /.exec(src);
    return m ? m.index + 1 : undefined;
  },
  tokenizer(src) {
    const m = /^([^\n]+)\n: ([^\n]*(?:\n {2,}[^\n]*)*)(?:\n+|$)/.exec(src);
    if (!m || /^(#{1,6} |```|~~~|>|\||[-*+] |\d+\. |[-*_]{3,}\s*$)/.test(m[1])) return undefined;
    const body = m[2].split('\n').map((l) => l.trim()).join(' ');
    return {
      type: 'definition', raw: m[0],
      term: this.lexer.inlineTokens(m[1].trim()), body: this.lexer.inlineTokens(body),
    };
  },
  renderer(token) {
    return `.TP\n${this.parser.parseInline(token.term)}\n${this.parser.parseInline(token.body)}\n`;
  },
};

/** Links to other files of the repository read as plain text in a man page; URLs stay links. */
const relativeLink = {
  name: 'link',
  level: 'inline',
  renderer(token) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(token.href) || token.href.startsWith('#')) return false;
    return `${this.parser.parseInline(token.tokens)}${token.punctuation ?? ''}`;
  },
};

/**
 * Renders one page. `markdown` starts with `# NAME(SECTION)` then `## NAME` whose paragraph is
 * `NAME - description`. Throws when the page does not have that shape.
 * @param {string} markdown
 * @param {{ version: string, date?: number, manual?: string }} options
 * @returns {string} roff (man(7) macros)
 */
export function renderManPage(markdown, options) {
  const m = /^# ([\w.+-]+)\((\d\w*)\)\n+## NAME\n+([\w.+-]+) - ([^\n]+)\n/.exec(markdown);
  if (!m) throw new Error('a man page must start with "# NAME(SECTION)", then "## NAME" and "NAME - description"');
  const [whole, name, section, , description] = m;
  const body = `# ${name}(${section}) -- ${description}\n\n${markdown.slice(whole.length)}`;
  const marked = new Marked();
  marked.use({
    ...markedMan, breaks: false, name, section, manVersion: options.version,
    manual: options.manual ?? (section === '8' ? 'System Manager\'s Manual' : 'File Formats Manual'),
    date: options.date ?? markedMan.date,
  });
  marked.use({
    extensions: [definition, relativeLink],
    renderer: {
      // marked escapes quotes in code spans as HTML entities, which marked-man 2.1.1 leaves in the roff.
      codespan(code) {
        return markedMan.renderer.codespan.call(this, code.replace(/&quot;/g, '"').replace(/&#39;/g, "'"));
      },
    },
  });
  return /** @type {string} */ (marked.parse(body, { async: false }));
}

