/**
 * The SIP side of the end-to-end tests: a sipp UAC sending one MESSAGE through
 * the drachtio target to the gateway, a sipp UAS standing in for the gateway's
 * SIP proxy, and a reader for what sipp recorded (-trace_msg), so tests can
 * check the exact bytes that crossed the wire.
 */
import { sipAddress, type DrachtioTarget } from '../harness/drachtio-target';
import { runSippUac, startSippUas, type SippResult, type SippTransport, type SippUas } from '../harness/sipp';

export interface SipSend {
  /** Request-URI (and To), e.g. sip:romeo@xmpp-e.test */
  readonly ruri: string;
  /** From name-addr without tag, default <sip:alice@sip.test> */
  readonly from?: string;
  readonly contentType?: string;
  readonly body: string;
  readonly expect: number;
  readonly transport?: SippTransport;
  readonly timeoutMs?: number;
}

export function sendSipMessage(target: Pick<DrachtioTarget, 'sipHost' | 'sipPort'>, m: SipSend): Promise<SippResult> {
  return runSippUac(sipAddress(target), {
    scenario: 'uac_im_message.xml',
    vars: {
      RURI: m.ruri, FROM: m.from ?? '<sip:alice@sip.test>', CTYPE: m.contentType ?? 'text/plain;charset=UTF-8',
      BODY: m.body, EXPECT: String(m.expect),
    },
    transport: m.transport ?? 'u1',
    timeoutMs: m.timeoutMs ?? 15_000,
  });
}

/** A sipp UAS on the gateway's proxy port answering the one MESSAGE it receives with `status`. */
export function proxyUas(port: number, status: number, reason: string, timeoutMs = 20_000): Promise<SippUas> {
  return startSippUas({ scenario: 'uas_message.xml', vars: { STATUS: String(status), REASON: reason }, localPort: port, timeoutMs });
}

/** A sipp UAS on the proxy port that receives the MESSAGE and never answers. */
export function silentProxyUas(port: number, timeoutMs: number): Promise<SippUas> {
  return startSippUas({ scenario: 'uas_message_noanswer.xml', localPort: port, timeoutMs });
}

export interface TracedSip {
  readonly direction: 'sent' | 'received';
  /** Wall-clock time sipp logged (local time, microseconds cut to ms + fraction). */
  readonly at: number;
  readonly startLine: string;
  header(name: string): string | undefined;
  /** The body exactly as on the wire (Content-Length bytes). */
  readonly body: Buffer;
  readonly raw: string;
}

const SEPARATOR = /^-{20,} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{3})(\d*)$/m;

/** Every SIP message in a -trace_msg log, in order. */
export function tracedMessages(log: string): TracedSip[] {
  const out: TracedSip[] = [];
  const parts = log.split(new RegExp(SEPARATOR.source, 'm'));
  // split with 4 capture groups: [pre, date, time, ms, frac, block, date, …]
  for (let i = 1; i + 4 < parts.length && i < 50_000; i += 5) {
    const [date, time, ms, frac, block] = [parts[i], parts[i + 1], parts[i + 2], parts[i + 3], parts[i + 4] ?? ''];
    const head = /^\s*(?:UDP|TCP) message (sent|received)[^\n]*\n\n/.exec(block);
    if (!head || !date || !time || !ms) continue;
    const raw = block.slice(head[0].length);
    const bytes = Buffer.from(raw, 'utf8');
    const sep = bytes.indexOf('\r\n\r\n');
    const headText = (sep >= 0 ? bytes.subarray(0, sep) : bytes).toString('utf8');
    const lines = headText.split('\r\n');
    const get = (name: string): string | undefined => {
      const re = new RegExp(`^${name.replace(/-/g, '\\-')}\\s*:\\s*(.*)$`, 'i');
      for (const l of lines.slice(1)) { const m = re.exec(l); if (m) return m[1]?.trim(); }
      return undefined;
    };
    const len = Number(get('Content-Length') ?? get('l') ?? '0');
    const body = sep >= 0 ? bytes.subarray(sep + 4, sep + 4 + len) : Buffer.alloc(0);
    out.push({
      direction: head[1] as 'sent' | 'received',
      at: new Date(`${date}T${time}.${ms}`).getTime() + Number(`0.${frac || '0'}`),
      startLine: lines[0] ?? '', header: get, body, raw,
    });
  }
  return out;
}

/** The requests (not responses) sipp received. */
export function receivedRequests(r: SippResult): TracedSip[] {
  return tracedMessages(r.messages).filter((m) => m.direction === 'received' && !m.startLine.startsWith('SIP/2.0'));
}

/** The final status sipp received (last non-1xx response), or undefined. */
export function finalStatus(r: SippResult): number | undefined {
  const finals = tracedMessages(r.messages)
    .filter((m) => m.direction === 'received' && m.startLine.startsWith('SIP/2.0 '))
    .map((m) => Number(m.startLine.split(' ')[1]))
    .filter((s) => s >= 200);
  return finals[finals.length - 1];
}

/** For failure messages: what sipp saw, one line each. */
export function describeSipp(r: SippResult): string {
  const msgs = tracedMessages(r.messages).map((m) => `${m.direction} ${m.startLine}`).join('\n  ');
  return `exit ${r.exitCode}${r.killed ? ' (killed)' : ''}\n  ${msgs || '(no messages)'}\n${r.output.slice(-800)}`;
}
