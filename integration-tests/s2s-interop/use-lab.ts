/**
 * One test file's lab: /etc/hosts names, the lab PKI, real ejabberd and
 * Prosody in one mode with a logged-in client each, and our edge holding
 * 127.0.30.1:5269 with one partner policy for both peers. Registers the
 * beforeAll/afterAll hooks (with their own timeouts: jest ignores the project
 * testTimeout for hooks) and cleans up everything it started.
 */
import type { PartnerPolicy } from '../../adapters/xmpp-s2s/policy/partner-policy';
import { labPki, type LabPki } from '../harness/lab-ca';
import { LAB_HOSTS, mapHosts, type HostsMapping } from '../harness/hosts';
import { LAB_DOMAINS, stopAllPeers, type PeerMode } from '../harness/xmpp-peers';
import { EdgeSlot, type LabEdgeOptions } from './lab-edge';
import { startLabPeers, stopClients, type LabPeer, type PeerKind } from './peer-lab';
import { route } from './policies';

export const HOOK_MS = 120_000;
export const TEST_MS = 45_000;
export const WAIT_MS = 15_000;
/** How long a refused stanza gets to (wrongly) show up before we conclude it was not delivered. */
export const QUIET_MS = 1500;

export interface LabSetup {
  readonly mode: PeerMode;
  /** Our partner policy for both peers (the static route is added per peer). */
  readonly policy: Omit<PartnerPolicy, 'proxyFqdn'>;
  readonly label: string;
  /** S2S port per peer when not 5269. */
  readonly s2sPorts?: Partial<Record<PeerKind, number>>;
}

export interface Lab {
  readonly pki: LabPki;
  readonly peers: Record<PeerKind, LabPeer>;
  readonly slot: EdgeSlot;
  /** Both peers as partners with static routes; `except` drops one, `routes` overrides proxyFqdn per domain. */
  partners(o?: { except?: string; routes?: Partial<Record<string, string>> }): Record<string, PartnerPolicy>;
  /** The file's standard edge configuration. */
  standardEdge(label: string): LabEdgeOptions;
  /** Stopped in afterAll along with the lab's own clients. */
  readonly extraPeers: LabPeer[];
}

export function useLab(setup: LabSetup): Lab {
  let hosts: HostsMapping | undefined;
  let pki: LabPki | undefined;
  let peers: Record<PeerKind, LabPeer> | undefined;
  const slot = new EdgeSlot();
  const extraPeers: LabPeer[] = [];
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`lab not ready: ${what} (did beforeAll fail?)`);
    return v;
  };

  const lab: Lab = {
    get pki() { return need(pki, 'pki'); },
    get peers() { return need(peers, 'peers'); },
    slot,
    extraPeers,
    partners(o = {}) {
      const out: Record<string, PartnerPolicy> = {};
      for (const kind of ['ejabberd', 'prosody'] as const) {
        const domain = LAB_DOMAINS[kind];
        if (domain === o.except) continue;
        out[domain] = { ...setup.policy, proxyFqdn: o.routes?.[domain] ?? route(domain, setup.s2sPorts?.[kind]) };
      }
      return out;
    },
    standardEdge: (label) => ({ pki: lab.pki, partners: lab.partners(), label }),
  };

  beforeAll(async () => {
    hosts = mapHosts(LAB_HOSTS); // before Prosody starts: it reads /etc/hosts once
    pki = labPki(LAB_HOSTS.map((h) => h.name));
    peers = await startLabPeers(setup.mode, pki, setup.s2sPorts);
    await slot.use(lab.standardEdge(setup.label));
  }, HOOK_MS);

  // stopAllPeers also stops a peer whose start was still running when a hook timed out.
  afterAll(async () => {
    await slot.stop();
    await stopClients([...Object.values(peers ?? {}), ...extraPeers]);
    await stopAllPeers();
    hosts?.remove();
  }, HOOK_MS);

  return lab;
}
