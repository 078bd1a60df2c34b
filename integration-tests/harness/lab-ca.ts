/**
 * Lab PKI made with the openssl CLI: one lab CA (EC P-256), a leaf per XMPP
 * domain, a "wrong name" leaf and leaves from a second, untrusted CA.
 *
 * Leaf names follow RFC 6120 §13.7.1.2: a DNS-ID for the domain (and a
 * wildcard for its sub-domains) plus the SRV-ID `_xmpp-server.<domain>`
 * (RFC 4985 otherName id-on-dnsSRV). NO xmppAddr: ejabberd 23.01 crashes
 * (badarg in xmpp_stream_pkix) on a valid peer certificate carrying one.
 * EKU has serverAuth and clientAuth: the initiating server presents the same
 * certificate as a TLS client certificate for SASL EXTERNAL (XEP-0178).
 *
 * Keys are world-readable on purpose (lab only): ejabberd and Prosody run as
 * their own users and must read them.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labRunDir } from './xmpp-peers';

export interface PemPair {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface LabPki {
  readonly dir: string;
  readonly names: readonly string[];
  /** The trusted lab CA. */
  readonly ca: PemPair;
  /** Leaf per name, signed by the lab CA. */
  readonly leaves: Readonly<Record<string, PemPair>>;
  /** Signed by the lab CA, but for WRONG_NAME only: a valid chain with the wrong identity. */
  readonly wrongName: PemPair;
  /** A second CA nobody trusts, and a leaf per name from it (right name, untrusted chain). */
  readonly rogueCa: PemPair;
  readonly untrusted: Readonly<Record<string, PemPair>>;
  /** leaves[name], or an error naming the known names. */
  leaf(name: string): PemPair;
}

export const WRONG_NAME = 'wrong-name.test';
const DAYS = '30';

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

function pair(certFile: string, keyFile: string): PemPair {
  return { certFile, keyFile, certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
}

function makeCa(dir: string, base: string, cn: string): PemPair {
  const key = path.join(dir, `${base}.key`);
  const cert = path.join(dir, `${base}.pem`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(['req', '-x509', '-new', '-key', key, '-sha256', '-days', DAYS, '-subj', `/O=dxg-lab/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-out', cert], dir);
  return pair(cert, key);
}

function makeLeaf(dir: string, base: string, name: string, ca: PemPair): PemPair {
  const key = path.join(dir, `${base}.key`);
  const csr = path.join(dir, `${base}.csr`);
  const cert = path.join(dir, `${base}.pem`);
  const ext = path.join(dir, `${base}.ext`);
  fs.writeFileSync(ext, [
    '[leaf]',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth,clientAuth',
    'subjectAltName=@alt',
    '[alt]',
    `DNS.1=${name}`,
    `DNS.2=*.${name}`,
    `otherName.1=1.3.6.1.5.5.7.8.7;IA5STRING:_xmpp-server.${name}`,
    '',
  ].join('\n'));
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(['req', '-new', '-key', key, '-subj', `/O=dxg-lab/CN=${name}`, '-out', csr], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-sha256', '-days', DAYS,
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-extfile', ext, '-extensions', 'leaf', '-out', cert], dir);
  fs.chmodSync(key, 0o644);
  return pair(cert, key);
}

function fileBase(name: string): string {
  return name.replace(/[^a-zA-Z0-9.-]/g, '_');
}

function load(dir: string, names: readonly string[]): LabPki {
  const get = (base: string): PemPair => pair(path.join(dir, `${base}.pem`), path.join(dir, `${base}.key`));
  const leaves: Record<string, PemPair> = {};
  const untrusted: Record<string, PemPair> = {};
  for (const n of names) {
    leaves[n] = get(`leaf-${fileBase(n)}`);
    untrusted[n] = get(`rogue-leaf-${fileBase(n)}`);
  }
  return {
    dir, names, ca: get('ca'), rogueCa: get('rogue-ca'), wrongName: get('wrong-name'), leaves, untrusted,
    leaf(name: string): PemPair {
      const p = leaves[name];
      if (!p) throw new Error(`lab PKI has no leaf for ${name} (has: ${names.join(', ')})`);
      return p;
    },
  };
}

/**
 * Creates (or reuses, when `dir` already holds a PKI for exactly these names)
 * the lab CA and leaves in `dir`.
 */
export function createLabPki(dir: string, names: readonly string[]): LabPki {
  const sorted = [...new Set(names.map((n) => n.toLowerCase()))].sort();
  const manifest = path.join(dir, 'names.json');
  if (fs.existsSync(manifest) && fs.readFileSync(manifest, 'utf8') === JSON.stringify(sorted)) return load(dir, sorted);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  const ca = makeCa(dir, 'ca', 'dxg-lab CA');
  const rogue = makeCa(dir, 'rogue-ca', 'dxg-lab rogue CA');
  for (const n of sorted) {
    makeLeaf(dir, `leaf-${fileBase(n)}`, n, ca);
    makeLeaf(dir, `rogue-leaf-${fileBase(n)}`, n, rogue);
  }
  makeLeaf(dir, 'wrong-name', WRONG_NAME, ca);
  fs.writeFileSync(manifest, JSON.stringify(sorted));
  return load(dir, sorted);
}

/** The PKI for `names`, made once per test run (shared by the run's test files) under the lab run dir. */
export function labPki(names: readonly string[]): LabPki {
  const key = [...new Set(names.map((n) => n.toLowerCase()))].sort().join(',');
  const id = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return createLabPki(path.join(labRunDir(), `pki-${id}`), names);
}

/** Writes a CA bundle (lab CA + extra PEM files) for a peer to trust; returns its path. */
export function writeCaBundle(file: string, pemFiles: readonly string[]): string {
  fs.writeFileSync(file, pemFiles.map((f) => fs.readFileSync(f, 'utf8').trim()).join('\n') + '\n', { mode: 0o644 });
  return file;
}
