/**
 * The SIP watcher of the presence end-to-end suites (issue #8, RFC 8048 §5.3): a sipp UAC
 * (uac_presence_*.xml) subscribing through the drachtio target, and a live view of what
 * it has received so far. sipp cannot wait for the test, so the test waits for sipp: the
 * scenario answers every NOTIFY by itself, and the test reads sipp's -trace_msg file
 * (sipp flushes each message) while it runs, driving the XMPP client once the NOTIFY it
 * waited for is there. Every wait is bounded.
 *
 * The PIDF reader is ltx (the XML parser @xmpp/client uses), not the gateway's own codec,
 * so a test checks the bytes against an independent reading.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type Element } from 'ltx';
import { sipAddress, type DrachtioTarget } from '../harness/drachtio-target';
import { runSippUac, type SippResult } from '../harness/sipp';
import { tracedMessages, type TracedSip } from '../im-e2e/sip-side';

export interface WatcherOptions {
  /** uac_presence_watch.xml (until MARK, refresh, Expires: 0) or uac_presence_until_terminated.xml. */
  readonly scenario: 'uac_presence_watch.xml' | 'uac_presence_until_terminated.xml';
  /** The contact as a sip: URI, e.g. sip:romeo@xmpp-e.test. */
  readonly ruri: string;
  /** The watcher's From name-addr, e.g. <sip:alice@sip.test>. */
  readonly from: string;
  /** uac_presence_watch.xml: the NOTIFY body text after which sipp refreshes. */
  readonly mark?: string;
  /** uac_presence_until_terminated.xml: the SUBSCRIBE's Expires (default 3600). */
  readonly expires?: number;
  readonly timeoutMs: number;
}

/** A NOTIFY and its position among all NOTIFYs sipp received (0 = the first). */
export type IndexedNotify = TracedSip & { readonly index: number };

export interface SipWatcher {
  /** The NOTIFYs sipp has received so far, in order. */
  notifies(): TracedSip[];
  /** The first NOTIFY (index ≥ `from`) matching `pred`, polling the trace for at most `ms`. */
  waitForNotify(pred: (n: TracedSip) => boolean, ms: number, what: string, from?: number): Promise<IndexedNotify>;
  /** Every message sipp sent or received so far. */
  messages(): TracedSip[];
  /** Settles when sipp exits (its own -timeout bounds it). `messages` is the live trace's final content. */
  readonly done: Promise<SippResult>;
}

const POLL_MS = 100;

export function startWatcher(target: Pick<DrachtioTarget, 'sipHost' | 'sipPort'>, o: WatcherOptions): SipWatcher {
  const dir = mkdtempSync(join(tmpdir(), 'presence-e2e-watcher-'));
  const file = join(dir, 'messages.log');
  const read = (): string => {
    try { return readFileSync(file, 'utf8'); } catch { return ''; }
  };
  const vars: Record<string, string> = {
    RURI: o.ruri, FROM: o.from,
    ...(o.mark !== undefined ? { MARK: o.mark } : {}),
    ...(o.scenario === 'uac_presence_until_terminated.xml' ? { EXPIRES: String(o.expires ?? 3600) } : {}),
  };
  // A second -message_file wins over the harness's own (sipp keeps the last), so the trace is readable while sipp runs.
  const done = runSippUac(sipAddress(target), { scenario: o.scenario, vars, timeoutMs: o.timeoutMs, extraArgs: ['-message_file', file] })
    .then((r) => ({ ...r, messages: read() }))
    .finally(() => rmSync(dir, { recursive: true, force: true }));
  let finalText: string | undefined;
  let finalErrors = '';
  void done.then((r) => { finalText = r.messages; finalErrors = `${r.errors.slice(-1500)}\n${r.output.slice(-1500)}`; }, () => undefined);
  const messages = (): TracedSip[] => tracedMessages(finalText ?? read());
  const notifies = (): TracedSip[] => messages().filter((m) => m.direction === 'received' && m.startLine.startsWith('NOTIFY '));
  return {
    notifies, messages, done,
    async waitForNotify(pred, ms, what, from = 0) {
      const deadline = Date.now() + ms;
      const find = (): IndexedNotify | undefined => {
        const all = notifies();
        for (let i = from; i < all.length; i++) if (pred(all[i]!)) return Object.assign(all[i]!, { index: i });
        return undefined;
      };
      for (let i = 0; i < Math.ceil(ms / POLL_MS) + 1; i++) {
        const hit = find();
        if (hit) return hit;
        if (finalText !== undefined || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      const hit = find();
      if (hit) return hit;
      const seen = messages().map((m) => `${m.direction} ${m.startLine} ${m.header('Subscription-State') ?? ''} ${m.body.toString('utf8').slice(0, 400)}`).join('\n  ');
      throw new Error(`no NOTIFY ${what} within ${ms} ms${finalText !== undefined ? ' (sipp has exited)' : ''}; sipp saw:\n  ${seen || '(nothing)'}${finalErrors ? `\nsipp errors:\n${finalErrors}` : ''}`);
    },
  };
}

/** A PIDF NOTIFY body, field by field (RFC 3863 §4; RFC 8048 §6.2 puts <show xmlns='jabber:client'> in <status>). */
export interface PidfView {
  readonly entity: string;
  readonly tuples: ReadonlyArray<{ readonly id: string; readonly basic?: string; readonly show?: string; readonly notes: readonly string[] }>;
  /** RPID activities of the person (RFC 4480), element names. */
  readonly activities: readonly string[];
}

const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';

/** ltx ignores namespaces: find children by local name AND the namespace in effect. */
function nsOf(el: Element, inherited: string | undefined): string | undefined {
  const [prefix, local] = el.name.includes(':') ? el.name.split(':') : [undefined, el.name];
  void local;
  const attr = prefix ? `xmlns:${prefix}` : 'xmlns';
  return (el.attrs[attr] as string | undefined) ?? (prefix ? undefined : inherited);
}

export function readPidf(body: Buffer): PidfView {
  const root = parse(body.toString('utf8')) as Element;
  const rootNs = nsOf(root, undefined);
  if (root.name !== 'presence' || rootNs !== PIDF_NS) throw new Error(`not a PIDF document: <${root.name} xmlns=${rootNs}>`);
  const local = (e: Element): string => e.name.split(':').pop() ?? e.name;
  const tuples = root.getChildElements().filter((e) => local(e) === 'tuple').map((t) => {
    const status = t.getChildElements().find((e) => local(e) === 'status');
    const basic = status?.getChildElements().find((e) => local(e) === 'basic')?.getText();
    const showEl = status?.getChildElements().find((e) => local(e) === 'show');
    if (showEl && nsOf(showEl, rootNs) !== 'jabber:client') throw new Error(`<show> in namespace ${nsOf(showEl, rootNs)}, RFC 8048 §6.2 wants jabber:client`);
    const notes = t.getChildElements().filter((e) => local(e) === 'note').map((n) => n.getText());
    return { id: String(t.attrs.id), ...(basic !== undefined ? { basic } : {}), ...(showEl ? { show: showEl.getText() } : {}), notes };
  });
  const person = root.getChildElements().find((e) => local(e) === 'person');
  const acts = person?.getChildElements().find((e) => local(e) === 'activities');
  return { entity: String(root.attrs.entity), tuples, activities: acts?.getChildElements().map(local) ?? [] };
}

/** The Subscription-State value without its parameters' order mattering: `active`, `terminated;reason=rejected` … */
export function stateOf(n: TracedSip): string {
  const v = n.header('Subscription-State') ?? '';
  const [state, ...params] = v.split(';').map((s) => s.trim());
  const reason = params.find((p) => p.startsWith('reason='));
  return reason ? `${state};${reason}` : (state ?? '');
}
