/**
 * A command-line value together with how it is printed. Values expanded from `$VARS` are shown
 * as `$VAR` so that printed commands stay copy-pasteable without leaking secrets.
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
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function hasLiveVariable(shown: string): boolean {
  return shown.replace(/\\./g, '').includes('$');
}
