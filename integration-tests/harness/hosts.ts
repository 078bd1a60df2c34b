/**
 * Name resolution for the lab without DNS: tagged /etc/hosts lines.
 *
 * Why /etc/hosts and not network namespaces: `ip netns exec` isolates the
 * whole network stack, so a peer inside a namespace could not reach the
 * gateway running in the test process on the host's loopback without veth
 * plumbing (and gVisor-style sandboxes often lack it). Both peers read
 * /etc/hosts when told to: ejabberd through its inetrc (`{lookup,[file]}`),
 * Prosody through lua-unbound (`hoststxt`). Prosody reads it only at start,
 * so map every lab name (the gateway's too) before starting it.
 *
 * Each line carries `# dxg-lab owner=<runner pid>:<handle>`; remove() deletes
 * exactly the handle's lines, and lines of dead runners are dropped on the
 * next mapHosts(), so a crashed run leaves nothing behind for long.
 */
import * as fs from 'node:fs';
import { LAB_ADDRESSES, LAB_DOMAINS, isAlive, requireRoot } from './xmpp-peers';

export interface HostEntry { readonly name: string; readonly address: string }
export interface HostsMapping {
  readonly entries: readonly HostEntry[];
  /** Removes this mapping's lines (idempotent). */
  remove(): void;
}

export const HOSTS_FILE = '/etc/hosts';
const TAG = '# dxg-lab owner=';

/** Every lab name: map them all before starting Prosody. */
export const LAB_HOSTS: readonly HostEntry[] = [
  { name: LAB_DOMAINS.gateway, address: LAB_ADDRESSES.gateway },
  { name: LAB_DOMAINS.ejabberd, address: LAB_ADDRESSES.ejabberd },
  { name: LAB_DOMAINS.prosody, address: LAB_ADDRESSES.prosody },
];

let handles = 0;
const ownTags = new Map<string, string>(); // tag -> hosts file

interface ParsedLine { readonly text: string; readonly address?: string; readonly names: readonly string[]; readonly ownerPid?: number }

function parse(text: string): ParsedLine {
  const tagAt = text.indexOf(TAG);
  const ownerPid = tagAt >= 0 ? Number(text.slice(tagAt + TAG.length).split(':')[0]) : undefined;
  const body = text.split('#')[0]?.trim() ?? '';
  const [address, ...names] = body.split(/\s+/).filter(Boolean);
  return { text, address, names: names.map((n) => n.toLowerCase()), ownerPid };
}

function readLines(file: string): ParsedLine[] {
  return fs.readFileSync(file, 'utf8').replace(/\n+$/, '').split('\n').map(parse);
}

/** Writes in place (not rename): /etc/hosts is often a bind mount in containers. */
function writeLines(file: string, lines: readonly ParsedLine[]): void {
  const text = lines.map((l) => l.text).join('\n').replace(/\n*$/, '\n');
  fs.writeFileSync(file, text);
}

function isStale(l: ParsedLine): boolean {
  return l.ownerPid !== undefined && l.ownerPid !== process.pid && !isAlive(l.ownerPid);
}

/**
 * Adds `address name` lines. Throws if a live line already maps a name to
 * another address (two labs fighting over a name would give flaky tests).
 */
export function mapHosts(entries: readonly HostEntry[] = LAB_HOSTS, file: string = HOSTS_FILE): HostsMapping {
  if (file === HOSTS_FILE) requireRoot('mapHosts');
  const tag = `${process.pid}:${++handles}`;
  const lines = readLines(file).filter((l) => !isStale(l));
  for (const e of entries) {
    const clash = lines.find((l) => l.address !== e.address && l.names.includes(e.name.toLowerCase()));
    if (clash) throw new Error(`${file} already maps ${e.name} elsewhere: "${clash.text}"`);
  }
  const added = entries.map((e) => parse(`${e.address} ${e.name} ${TAG}${tag}`));
  writeLines(file, [...lines, ...added]);
  ownTags.set(tag, file);
  let removed = false;
  return {
    entries,
    remove(): void {
      if (removed) return;
      removed = true;
      removeTag(file, tag);
    },
  };
}

function removeTag(file: string, tag: string): void {
  ownTags.delete(tag);
  const suffix = `${TAG}${tag}`;
  writeLines(file, readLines(file).filter((l) => !l.text.endsWith(suffix)));
}

process.on('exit', () => {
  for (const [tag, file] of [...ownTags]) {
    try { removeTag(file, tag); } catch { /* best effort at exit */ }
  }
});
