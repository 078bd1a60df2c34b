import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigIssue, GatewayConfig } from './types';

const error = (path: string, message: string): ConfigIssue => ({ severity: 'error', path, message });
const warning = (path: string, message: string): ConfigIssue => ({ severity: 'warning', path, message });

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readText(file: string): { text: string } | { problem: string } {
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'read error';
    return { problem: `cannot read ${file} (${code})` };
  }
}

function parseCertificates(text: string): X509Certificate[] | string {
  const blocks = text.match(PEM_CERT) ?? [];
  if (blocks.length === 0) return 'contains no PEM certificate (-----BEGIN CERTIFICATE-----)';
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (e) {
    return `holds a malformed certificate (${(e as Error).message})`;
  }
}

function parseKey(text: string): KeyObject | string {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'contains no PEM private key';
  if (/ENCRYPTED/.test(text)) return 'holds an encrypted private key; give an unencrypted one';
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch (e) {
    return `holds a malformed private key (${(e as Error).message})`;
  }
}

/**
 * Reads every file the configuration names: each certificate chain and key
 * must be readable PEM and belong together; a leaf that does not name its
 * domain or has expired is a warning (peers will reject it, RFC 6120
 * §13.7.2; a lab with its own CA may still want to start). `now` is passed
 * in so tests are deterministic.
 */
export function checkFiles(config: GatewayConfig, now: Date): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.gateway.s2s.certificates.forEach((c, i) => {
    const base = `gateway.s2s.certificates[${i}]`;
    const certText = readText(c.cert);
    const keyText = readText(c.key);
    let leaf: X509Certificate | undefined;
    let key: KeyObject | undefined;
    if ('problem' in certText) issues.push(error(`${base}.cert`, certText.problem));
    else {
      const certs = parseCertificates(certText.text);
      if (typeof certs === 'string') issues.push(error(`${base}.cert`, `${c.cert} ${certs}`));
      else leaf = certs[0];
    }
    if ('problem' in keyText) issues.push(error(`${base}.key`, keyText.problem));
    else {
      const k = parseKey(keyText.text);
      if (typeof k === 'string') issues.push(error(`${base}.key`, `${c.key} ${k}`));
      else key = k;
    }
    if (leaf === undefined) return;
    if (key !== undefined && !leaf.checkPrivateKey(key)) issues.push(error(base, `the key in ${c.key} does not match the certificate in ${c.cert}`));
    if (leaf.checkHost(c.domain) === undefined) issues.push(warning(`${base}.cert`, `certificate does not name ${c.domain} (subject alt names: ${leaf.subjectAltName ?? 'none'}); peers will not accept it for that domain`));
    if (new Date(leaf.validTo).getTime() < now.getTime()) issues.push(warning(`${base}.cert`, `certificate expired on ${leaf.validTo}`));
  });
  const caFile = config.gateway.s2s.caFile;
  if (caFile !== undefined) {
    const t = readText(caFile);
    if ('problem' in t) issues.push(error('gateway.s2s.caFile', t.problem));
    else {
      const certs = parseCertificates(t.text);
      if (typeof certs === 'string') issues.push(error('gateway.s2s.caFile', `${caFile} ${certs}`));
    }
  }
  return issues;
}
