/**
 * `npm run lab` (issue #9): the compose lab's topology on this machine's
 * loopback, for machines without Docker. Prints how to send the first message
 * both ways, prints every MESSAGE the lab's SIP UA receives, and runs until
 * Ctrl-C (SIGINT) or SIGTERM, then stops everything it started.
 */
import * as path from 'node:path';
import { sipAddress } from '../../integration-tests/harness/drachtio-target';
import { LAB_DIR, NATIVE } from './lab-gateway-config';
import { describeDrachtio, startNativeLab } from './native-lab';

/** The SIP UA print loop: bounded in count (a lab session, not a service). */
const MAX_PRINTED = 100_000;
const WAIT_MS = 60_000;

const say = (s: string): void => { process.stdout.write(`${s}\n`); };

async function main(): Promise<void> {
  const lab = await startNativeLab({});
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    say('\nstopping the lab …');
    lab.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // As with the real CLI: SIGHUP re-reads the lab's configuration file.
  process.on('SIGHUP', () => lab.sighup());
  say(`
The native lab is up.
  drachtio  ${describeDrachtio(lab.drachtio)}
  gateway   sip.lab, S2S on ${NATIVE.gateway.address}:5269, config ${lab.configFile}
  ejabberd  xmpp.lab, c2s ${lab.ejabberd.c2sService} (direct TLS; lab CA ${lab.caFile}), users romeo / juliet, password "secret"
  admin     ${lab.adminUrl}/metrics, /healthz, /readyz
  SIP UA    the gateway's SIP proxy, sipp on 127.0.0.1:${lab.sipUaPort} (prints what it receives below)

Send your first message, SIP → XMPP (romeo@xmpp.lab must be logged in to see it; npm run lab:demo does it all):
  sipp ${sipAddress(lab.drachtio)} -sf ${path.join(LAB_DIR, 'sipp', 'uac-message.xml')} -s romeo -m 1 -i 127.0.0.1 -p 5091
XMPP → SIP: log in as romeo@xmpp.lab and send a chat message to alice@sip.lab.
Ctrl-C stops the lab.`);
  for (let i = 0; i < MAX_PRINTED && !stopping; i++) {
    try {
      const r = await lab.nextSipMessage(WAIT_MS);
      say(`SIP UA received ${r.startLine}\n  From: ${r.header('From') ?? ''}\n  body: ${r.body.toString('utf8')}`);
    } catch {
      /* nothing arrived in WAIT_MS: wait again */
    }
  }
}

main().catch((e: unknown) => { process.stderr.write(`npm run lab: ${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
