/**
 * Identifiers as drachtio-server/sofia-sip make them. Shapes are copied from the traces:
 * tags and branch suffixes are 13 alphanumerics (`25HF6mFc9K3Hr`, `z9hG4bK2pHB9p58Kt2BF`),
 * Call-IDs look like `b3156eea-629b-1240-cea7-5ad756cb2e34`, msgIds/txnIds are uuid v4.
 */
import { randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

export const newMsgId = (): string => randomUUID();
export const newTxnId = (): string => randomUUID();
export const newTag = (): string => alnum(13);
export const newBranch = (): string => `z9hG4bK${alnum(13)}`;
export const newCallId = (): string => randomUUID();

/**
 * sofia's initial CSeq for a request it originates: (NTP seconds >> 1) & 0x0FFFFFFF.
 * Derived from the traces: CSeq 123205780 at 2026-11-24T11:19:04Z, 123205800 40 s later,
 * 123205916 and 123205974 later still — half a step per second, a 28-bit mask.
 */
export function initialCseq(epochMs: number): number {
  const ntpSeconds = Math.floor(epochMs / 1000) + 2208988800;
  return Math.floor(ntpSeconds / 2) & 0x0fffffff;
}
