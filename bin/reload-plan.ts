/**
 * What a reload (SIGHUP or POST /reload, issue #9) can apply to a running
 * gateway, and what only a restart can. Live: the partner list, open
 * federation, the EnableXmppAccess policy, trusted SIP sources, and the S2S
 * certificates / CA (new handshakes use them; established streams keep theirs).
 * Everything else (domains, drachtio, the SIP proxy URI, listeners, limits,
 * the dialback secret, presence, admin) is built into running objects.
 */
import type { GatewayConfig } from '../config/types';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The keys that differ between `running` and `next` but will not take effect until a restart. */
export function restartOnlyChanges(running: GatewayConfig, next: GatewayConfig): string[] {
  const a = running.gateway;
  const b = next.gateway;
  const out: string[] = [];
  const check = (key: string, x: unknown, y: unknown): void => { if (!same(x, y)) out.push(key); };
  check('gateway.domains', a.domains, b.domains);
  check('gateway.drachtio', a.drachtio, b.drachtio);
  check('gateway.sipProxy.uri', a.sipProxy.uri, b.sipProxy.uri);
  const { certificates: _ca, caFile: _cf, ...s2sA } = a.s2s;
  const { certificates: _cb, caFile: _cfb, ...s2sB } = b.s2s;
  for (const k of Object.keys({ ...s2sA, ...s2sB }).sort()) check(`gateway.s2s.${k}`, (s2sA as Record<string, unknown>)[k], (s2sB as Record<string, unknown>)[k]);
  check('gateway.presence', a.presence, b.presence);
  check('gateway.admin', a.admin, b.admin);
  return out;
}
