import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A minimal valid document: one domain, one TCP-dialback-only partner (needs no certificate). */
export function baseRaw(): Record<string, any> {
  return {
    gateway: {
      domains: ['example.com'],
      drachtio: { host: '127.0.0.1', secret: 'cymru' },
      sipProxy: { uri: 'sip:proxy.example.com;transport=tcp' },
      s2s: { dialbackSecret: 'a-dialback-secret-of-some-length' },
    },
    partners: [{ domain: 'legacy.example.net', tls: 'NotSupported', sasl: 'NotSupported', dialback: true }],
    policy: { default: true },
  };
}

export interface TempCerts {
  readonly dir: string;
  /** Writes a self-signed EC certificate + key for `dnsName` and returns their paths. */
  make(name: string, dnsName: string): { key: string; cert: string };
  cleanup(): void;
}

/** Certificates made with the openssl CLI (installed with the test dependencies) in a temp dir. */
export function tempCerts(): TempCerts {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dxg-certs-'));
  return {
    dir,
    make(name, dnsName) {
      const key = path.join(dir, `${name}.key`);
      const cert = path.join(dir, `${name}.crt`);
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${dnsName}`, '-addext', `subjectAltName=DNS:${dnsName}`,
      ], { stdio: 'ignore', timeout: 20000 });
      return { key, cert };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
