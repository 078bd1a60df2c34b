/** How the CLI reaches a running gateway: its admin endpoint (gateway.admin; issue #9). */
import type { AdminConfig } from '../../config/types';

export type AdminAnswer =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | { readonly ok: false; readonly why: string };

/** A wildcard listen address is reached on loopback. */
export function adminUrl(a: AdminConfig, path: string): string {
  const host = a.host === '0.0.0.0' ? '127.0.0.1' : a.host === '::' ? '[::1]' : a.host.includes(':') ? `[${a.host}]` : a.host;
  return `http://${host}:${a.port}${path}`;
}

export async function callAdmin(a: AdminConfig, path: string, method: 'GET' | 'POST', timeoutMs = 10_000): Promise<AdminAnswer> {
  const url = adminUrl(a, path);
  try {
    const r = await fetch(url, {
      method,
      headers: a.token !== undefined ? { authorization: `Bearer ${a.token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON: keep the text */ }
    return { ok: true, status: r.status, body };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    return { ok: false, why: `no running gateway answered at ${url} (${cause})` };
  }
}
