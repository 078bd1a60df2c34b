/**
 * The native lab's gateway configuration: lab/gateway.yaml (the compose lab's
 * file, comments and all) with only what differs between a Docker bridge
 * network and this machine's loopback rewritten. Everything else — domains,
 * partner settings (TLS Optional, dialback), policy, presence node id — is
 * the compose lab's, so both labs exercise the same configuration.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { parseDocument } from 'yaml';

export const LAB_DIR = path.resolve(__dirname, '..');
export const LAB_GATEWAY_YAML = path.join(LAB_DIR, 'gateway.yaml');

/** Loopback stand-ins for the compose network's 172.30.77.0/24 (DEVELOPERS: loopback only). */
export const NATIVE = {
  gateway: { domain: 'sip.lab', address: '127.0.40.1' },
  ejabberd: { domain: 'xmpp.lab', address: '127.0.40.2' },
} as const;

export interface NativeOverrides {
  readonly drachtio: { readonly host: string; readonly port: number; readonly secret: string };
  /** Where the lab's SIP user agent (sipp UAS, the compose `sip-ua`) listens. */
  readonly sipUaPort: number;
  /** A writable file for the presence store (the compose lab uses a Docker volume). */
  readonly presencePath: string;
  /** gateway.admin port (the compose lab's 9464 unless a test needs a free one); on the gateway's address. */
  readonly adminPort: number;
  readonly adminToken?: string;
}

/** lab/gateway.yaml as YAML text, with the network-specific keys pointed at loopback. */
export function nativeGatewayYaml(o: NativeOverrides, source = fs.readFileSync(LAB_GATEWAY_YAML, 'utf8')): string {
  const doc = parseDocument(source);
  doc.setIn(['gateway', 'drachtio', 'host'], o.drachtio.host);
  doc.setIn(['gateway', 'drachtio', 'port'], o.drachtio.port);
  doc.setIn(['gateway', 'drachtio', 'secret'], o.drachtio.secret);
  doc.setIn(['gateway', 'sipProxy', 'uri'], `sip:127.0.0.1:${o.sipUaPort};transport=udp`);
  doc.setIn(['gateway', 'sipProxy', 'trustedSources'], doc.createNode(['127.0.0.1']));
  doc.setIn(['gateway', 's2s', 'listen', 'host'], NATIVE.gateway.address);
  doc.setIn(['gateway', 'presence', 'store', 'path'], o.presencePath);
  doc.setIn(['gateway', 'admin', 'host'], NATIVE.gateway.address);
  doc.setIn(['gateway', 'admin', 'port'], o.adminPort);
  if (o.adminToken !== undefined) doc.setIn(['gateway', 'admin', 'token'], o.adminToken);
  // The file is written elsewhere (a run directory): certificate paths must not depend on where.
  const certs = doc.getIn(['gateway', 's2s', 'certificates']) as { items: Array<{ get(k: string): unknown; set(k: string, v: unknown): void }> } | undefined;
  for (const c of certs?.items ?? []) {
    for (const k of ['key', 'cert']) {
      const v = c.get(k);
      if (typeof v === 'string' && !path.isAbsolute(v)) c.set(k, path.join(LAB_DIR, v));
    }
  }
  const partners = doc.get('partners') as { items: Array<{ get(k: string): unknown; set(k: string, v: unknown): void }> } | undefined;
  const peer = partners?.items.find((p) => p.get('domain') === NATIVE.ejabberd.domain);
  if (!peer) throw new Error(`${LAB_GATEWAY_YAML}: no partner ${NATIVE.ejabberd.domain}`);
  peer.set('proxyFqdn', `${NATIVE.ejabberd.address}:5269`);
  return doc.toString();
}
