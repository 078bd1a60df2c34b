/**
 * The SIP side of the presence end-to-end suites (issue #8): sipp as the SIP
 * presentity behind the gateway's proxy port (uas_presentity_*.xml), the PIDF
 * bodies real SIP user agents send (RFC 3863 PIDF, RFC 4479 person, RFC 4480
 * RPID activities), and readers for the presence stanzas an XMPP client got.
 */
import type { Element } from '@xmpp/xml';
import type { XmlElement } from '../../plugin/core/xml/xml-element';
import { startSippUas, type SippUas } from '../harness/sipp';
import type { LabClient } from '../harness/xmpp-client';

const PIDF = 'urn:ietf:params:xml:ns:pidf';
const RPID = 'urn:ietf:params:xml:ns:pidf:rpid';
const DM = 'urn:ietf:params:xml:ns:pidf:data-model';

/** A PIDF document for `entity` with one tuple (basic open/closed), an optional RPID activity on the person, an optional tuple note. */
export function pidf(entity: string, o: { basic: 'open' | 'closed'; activity?: string; note?: { text: string; lang?: string } }): string {
  const note = o.note ? `<note${o.note.lang ? ` xml:lang="${o.note.lang}"` : ''}>${o.note.text}</note>` : '';
  const person = o.activity ? `<dm:person id="p1"><rpid:activities><rpid:${o.activity}/></rpid:activities></dm:person>` : '';
  // One line: sipp's [len] counts the bytes as written, and a stray CR would count too.
  return `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="${PIDF}" xmlns:rpid="${RPID}" xmlns:dm="${DM}" entity="${entity}">`
    + `<tuple id="t1"><status><basic>${o.basic}</basic></status>${note}</tuple>${person}</presence>`;
}

/** A sipp presentity on the gateway's proxy port (every new SUBSCRIBE from the gateway goes there). */
export function startPresentity(port: number, scenario: `uas_presentity_${string}.xml`, vars: Record<string, string>, timeoutMs: number, extraArgs: readonly string[] = []): Promise<SippUas> {
  return startSippUas({ scenario, vars, localPort: port, timeoutMs, extraArgs });
}

/** What a presence stanza says, field by field (RFC 6121 §4.7): absent fields are absent. */
export interface PresenceView {
  readonly type?: string;
  readonly show?: string;
  readonly status?: string;
  readonly lang?: string;
}

export function viewOf(el: Element): PresenceView {
  const status = el.getChild('status');
  const show = el.getChildText('show');
  const lang = status?.attrs['xml:lang'] ?? el.attrs['xml:lang'];
  return {
    ...(el.attrs.type ? { type: String(el.attrs.type) } : {}),
    ...(show ? { show } : {}),
    ...(status ? { status: status.getText() } : {}),
    ...(status && lang ? { lang: String(lang) } : {}),
  };
}

const bare = (jid: unknown): string => String(jid ?? '').split('/')[0] ?? '';

/** Presence stanzas from `from` (bare) the client got, from index `since` of its `received` on. */
export function presencesFrom(c: LabClient, from: string, since = 0): Element[] {
  return c.received.slice(since).filter((e) => e.is('presence') && bare(e.attrs.from) === from);
}

/** Waits (bounded) until the client holds at least `n` presence stanzas from `from` since `since`. */
export async function waitForPresences(c: LabClient, from: string, n: number, timeoutMs: number, since = 0): Promise<Element[]> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    const got = presencesFrom(c, from, since);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  const got = presencesFrom(c, from, since);
  if (got.length >= n) return got;
  throw new Error(`${c.jid}: ${got.length} of ${n} presence stanzas from ${from} within ${timeoutMs} ms:\n  ${got.map((e) => e.toString()).join('\n  ')}`);
}

/**
 * Records every stanza the gateway hands its S2S edge (and still sends it): what the
 * gateway said even where the receiving server rightly keeps it from the client
 * (e.g. RFC 6121 §3.2.3 drops an `unsubscribed` for a subscription already None).
 */
export function tapEdge(edge: { send(el: XmlElement): void; sendConfirmed(el: XmlElement): Promise<unknown> }): XmlElement[] {
  const seen: XmlElement[] = [];
  const send = edge.send.bind(edge);
  const sendConfirmed = edge.sendConfirmed.bind(edge);
  edge.send = (el) => { seen.push(el); send(el); };
  edge.sendConfirmed = (el) => { seen.push(el); return sendConfirmed(el); };
  return seen;
}
