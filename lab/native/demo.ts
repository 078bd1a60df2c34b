/**
 * `npm run lab:demo` (issue #9): starts the native lab, sends one SIP MESSAGE
 * to an ejabberd user and one ejabberd user's message to a SIP UA, prints
 * both as received, stops everything, and exits 0 only if both arrived
 * byte-exact. `.ci/run` runs it end to end. Bounded: each step 20 s, the
 * whole run 3 minutes.
 */
import * as path from 'node:path';
import type { Element } from '@xmpp/xml';
import { finalStatus } from '../../integration-tests/im-e2e/sip-side';
import { sipAddress } from '../../integration-tests/harness/drachtio-target';
import { runSippUac } from '../../integration-tests/harness/sipp';
import type { LabClient } from '../../integration-tests/harness/xmpp-client';
import { labRunDir } from '../../integration-tests/harness/xmpp-peers';
import { LAB_DIR, NATIVE } from './lab-gateway-config';
import { connectLabUser, describeDrachtio, startNativeLab, type NativeLab } from './native-lab';

const STEP_MS = 20_000;
const RUN_MS = 3 * 60_000;
/** lab/sipp/uac-message.xml's body: sipp sends the CDATA's last line break too (Content-Length counts it). */
const SIP_TEXT = 'Hello from SIP ✓\n';
const XMPP_TEXT = 'Hello from XMPP ✓ — ça marche';

const say = (s: string): void => { process.stdout.write(`${s}\n`); };

async function sipToXmpp(lab: NativeLab, romeo: LabClient): Promise<void> {
  say(`\n1. SIP → XMPP: sipp, as alice@sip.lab, sends MESSAGE sip:romeo@xmpp.lab to drachtio (${sipAddress(lab.drachtio)})`);
  const arrived = romeo.waitForStanza((e: Element) => e.is('message') && e.getChildText('body') !== null, STEP_MS);
  const sipp = await runSippUac(sipAddress(lab.drachtio), { scenario: path.join(LAB_DIR, 'sipp', 'uac-message.xml'), service: 'romeo', timeoutMs: STEP_MS });
  say(`   sipp got: ${finalStatus(sipp) ?? 'no final response'} (exit ${sipp.exitCode})`);
  const m = await arrived;
  const body = m.getChildText('body');
  say(`   romeo@xmpp.lab received: <message from='${m.attrs.from}'${m.attrs.type ? ` type='${m.attrs.type}'` : ''}> body ${JSON.stringify(body)}`);
  if (finalStatus(sipp) !== 202 || body !== SIP_TEXT) throw new Error(`SIP → XMPP: expected 202 and ${JSON.stringify(SIP_TEXT)}`);
}

async function xmppToSip(lab: NativeLab, romeo: LabClient): Promise<void> {
  say(`\n2. XMPP → SIP: romeo@xmpp.lab sends "${XMPP_TEXT}" to alice@${NATIVE.gateway.domain} through ejabberd and S2S`);
  const next = lab.nextSipMessage(STEP_MS);
  await romeo.sendMessage(`alice@${NATIVE.gateway.domain}`, XMPP_TEXT);
  const req = await next;
  const body = req.body.toString('utf8');
  say(`   the lab SIP UA received: ${req.startLine}`);
  for (const h of ['From', 'To', 'Content-Type']) say(`     ${h}: ${req.header(h) ?? '(none)'}`);
  say(`     body ${JSON.stringify(body)}`);
  if (!req.startLine.startsWith('MESSAGE sip:alice@sip.lab') || body !== XMPP_TEXT) throw new Error(`XMPP → SIP: expected MESSAGE sip:alice@sip.lab with "${XMPP_TEXT}"`);
}

const t0 = Date.now();
const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const logFile = path.join(labRunDir(), `native-lab-demo-${Date.now()}.log`);
  say('Starting the native lab (no Docker) …');
  const lab = await startNativeLab({ logFile });
  let romeo: LabClient | undefined;
  try {
    say(`(lab up after ${elapsed()})`);
    say(`drachtio: ${describeDrachtio(lab.drachtio)}`);
    say(`gateway: sip.lab on ${NATIVE.gateway.address}:5269, config ${lab.configFile}, log ${logFile}`);
    say(`ejabberd: xmpp.lab on ${NATIVE.ejabberd.address} (c2s ${lab.ejabberd.c2sService})`);
    romeo = await connectLabUser(lab);
    await sipToXmpp(lab, romeo);
    await xmppToSip(lab, romeo);
    say(`\nBoth directions delivered (${elapsed()}).`);
    return 0;
  } catch (e) {
    say(`\nlab:demo FAILED: ${(e as Error).message}\n(gateway log: ${logFile})`);
    return 1;
  } finally {
    await romeo?.stop();
    await lab.stop();
  }
}

const deadline = setTimeout(() => { say(`lab:demo: gave up after ${RUN_MS / 1000} s`); process.exit(1); }, RUN_MS);
deadline.unref();
main().then((code) => process.exit(code), (e: unknown) => { say(`lab:demo FAILED: ${(e as Error).stack ?? String(e)}`); process.exit(1); });
