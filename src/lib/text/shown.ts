/**
 * Quoting, in one place: a command-line value together with how it is printed, and the shell
 * quoting of printed commands. Values expanded from `$VARS` are shown as `$VAR` so that printed
 * commands stay copy-pasteable without leaking secrets. Literals are single-quoted only when
 * they need it, as every release has printed them (shell-quote's backslash style would print
 * other commands), and a printed value keeps which of its `$`s are live, which no quoting
 * library models.
 */
export interface Shown {
  value: string;
  /** How it is printed: text for inside shell double quotes, `$VAR`s left unexpanded. */
  shown: string;
}

export type Arg = string | Shown;

export function valueOf(arg: Arg): string {
  return typeof arg === 'string' ? arg : arg.value;
}

/**
 * Shell-quotes one argument. A `Shown`'s printed form is already escaped for the inside of
 * double quotes (see variables.ts), so it is wrapped as is and its `$VAR`s stay live.
 */
export function quoteArg(arg: Arg): string {
  if (typeof arg === 'string') return quoteLiteral(arg);
  if (!hasLiveVariable(arg.shown)) return quoteLiteral(arg.value);
  return /^[A-Za-z0-9_@%+=:,./${}-]+$/.test(arg.shown) ? arg.shown : `"${arg.shown}"`;
}

export function formatCommand(argv: readonly Arg[]): string {
  return argv.map(quoteArg).join(' ');
}

/** A word as the shell reads it back literally: bare when safe, else single-quoted. */
export function quoteLiteral(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${escapeForSingleQuotes(s)}'`;
}

/** Text that reads back as itself inside shell double quotes. */
export function escapeForDoubleQuotes(s: string): string {
  return s.replace(/([$`"\\])/g, '\\$1');
}

/** Text that reads back as itself inside shell single quotes. */
export function escapeForSingleQuotes(s: string): string {
  return s.replace(/'/g, `'\\''`);
}

/** A value with nothing live in it, printed as it is. */
export function literalShown(value: string): Shown {
  return { value, shown: escapeForDoubleQuotes(value) };
}

/**
 * A whole line for a reader: `"…"` reads better than single quotes around a line full of them,
 * when nothing in it would be live inside double quotes.
 */
export function quoteForReading(text: string): string {
  return /[$`"\\!]/.test(text) ? quoteLiteral(text) : `"${text}"`;
}

function hasLiveVariable(shown: string): boolean {
  return shown.replace(/\\./g, '').includes('$');
}
