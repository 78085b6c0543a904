/**
 * A command-line value together with how it is printed. Values expanded from `$VARS` are shown
 * as `$VAR` so that printed commands stay copy-pasteable without leaking secrets (SPEC §2.10).
 */
export interface Shown {
  value: string;
  shown: string;
}

export type Arg = string | Shown;

export function valueOf(arg: Arg): string {
  return typeof arg === 'string' ? arg : arg.value;
}

/** Shell-quotes one argument; a `Shown` whose printed form holds `$VAR` is double-quoted so the shell expands it. */
export function quoteArg(arg: Arg): string {
  if (typeof arg === 'string') return quoteLiteral(arg);
  if (arg.shown === arg.value) return quoteLiteral(arg.value);
  return quoteWithVariables(arg.shown);
}

export function formatCommand(argv: readonly Arg[]): string {
  return argv.map(quoteArg).join(' ');
}

function quoteLiteral(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Double quotes keep `$VAR` live for the shell; everything else the shell treats specially is escaped. */
function quoteWithVariables(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./${}-]+$/.test(s) && !/[`\\"]/.test(s)) return s;
  return `"${s.replace(/([`\\"])/g, '\\$1')}"`;
}
