/** Where in which file a problem was found; both optional because not every fault has a file. */
export interface Location {
  file?: string;
  line?: number;
}

/**
 * The one error type of the conventions library. Executors and generators turn it into a single
 * clear line (`file:line: message (hint)`) and a non-zero exit instead of a stack trace.
 */
export class DockconvError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly hint?: string;

  constructor(message: string, where: Location & { hint?: string } = {}) {
    super(message);
    this.name = 'DockconvError';
    this.file = where.file;
    this.line = where.line;
    this.hint = where.hint;
  }

  /** `file:line: message (hint)` — what a user sees. */
  describe(): string {
    const place = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${place}${this.message}${this.hint ? ` (${this.hint})` : ''}`;
  }
}

/** The last non-blank line of a tool's output: where docker and ssh put the reason they failed. */
export function lastLine(text: string): string | undefined {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).at(-1);
}

export function describeError(err: unknown): string {
  if (err instanceof DockconvError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A non-fatal finding (unknown run.cfg key, deprecated file name) that callers print. */
export interface Warning extends Location {
  message: string;
}

export function describeWarning(w: Warning): string {
  const place = w.file ? `${w.file}${w.line ? `:${w.line}` : ''}: ` : '';
  return `${place}${w.message}`;
}

/** Runs `body`; a DockconvError that names no file is given `where` (the file it came from). */
export function locatedIn<T>(where: Location, body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof DockconvError && !err.file) throw new DockconvError(err.message, { ...where, ...(err.hint ? { hint: err.hint } : {}) });
    throw err;
  }
}
