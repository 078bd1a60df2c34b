/** Polls `cond` until it holds, bounded by `ms`; the error names what was awaited and, when given, what the lab logged. */
export async function until(what: string, cond: () => boolean, ms: number, detail: () => string = () => '', stepMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${detail()}`);
    await new Promise<void>((r) => setTimeout(r, stepMs));
  }
}
