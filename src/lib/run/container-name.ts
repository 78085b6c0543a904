/**
 * Container names `<user>_<image>_<timestamp>`: easy to find in `docker ps`, unique per
 * start, and valid for Docker, whose names must match `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
 */

export function containerName(user: string, image: string, now: Date): string {
  const part = (s: string): string => s.replace(/[^a-zA-Z0-9_.-]+/g, '-');
  // Only the first character is stricter than the rest, and the user comes first.
  const who = part(user).replace(/^[^a-zA-Z0-9]+/, '') || 'user';
  return `${who}_${part(image)}_${timestamp(now)}`;
}

/** Local time to the millisecond, `20250102-030405.678`: two starts in one second do not collide. */
function timestamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
  const time = `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  return `${date}-${time}`;
}
