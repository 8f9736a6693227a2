// A measurement either produced figures or says why not; one failing measurement must not
// hide the others, and the bench exits non-zero if any of them failed.

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The first line of an error, for tables (the whole text goes to stderr and the JSON). */
export function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
