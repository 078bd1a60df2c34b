/**
 * Everything the edge handed to our stanza handler (authenticated inbound
 * stanzas and the error stanzas it bounced back to us), with a bounded wait.
 */
import { childElements, localName, textOf, findChild, type XmlElement } from '../../plugin/core/xml/xml-element';
import { serializeXml } from '../../plugin/core/xml/serialize-xml';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

export interface Received {
  readonly el: XmlElement;
  /** performance.now() when the handler got it. */
  readonly at: number;
}

export class Inbox {
  readonly items: Received[] = [];
  private readonly waiters = new Set<() => void>();

  push(e: XmlElement): void {
    this.items.push({ el: e, at: performance.now() });
    for (const w of [...this.waiters]) w();
  }

  mark(): number {
    return this.items.length;
  }

  since(mark: number): XmlElement[] {
    return this.items.slice(mark).map((r) => r.el);
  }

  /** First stanza (after `from`) matching `pred`; rejects after `ms` (or on abort) listing what did arrive. */
  waitFor(pred: (e: XmlElement) => boolean, ms: number, from = 0, signal?: AbortSignal): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = this.items.slice(from).find((r) => pred(r.el));
        if (hit) { done(); resolve(hit); }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching stanza reached our handler within ${ms} ms; got:\n  ${this.describe(from)}`));
      }, ms);
      const onAbort = (): void => { done(); reject(new Error('aborted')); };
      const done = (): void => { clearTimeout(timer); this.waiters.delete(check); signal?.removeEventListener('abort', onAbort); };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(check);
      check();
    });
  }

  describe(from = 0): string {
    return this.items.slice(from).slice(-15).map((r) => serializeXml(r.el).slice(0, 400)).join('\n  ') || '(nothing)';
  }
}

/** The RFC 6120 §8.3.2 defined condition of an error stanza, if it is one. */
export function errorCondition(e: XmlElement): string | undefined {
  if (e.attrs.type !== 'error') return undefined;
  const error = findChild(e, 'error');
  const cond = error && childElements(error).find((c) => (c.ns ?? c.attrs.xmlns) === NS_STANZAS && localName(c) !== 'text');
  return cond && localName(cond);
}

export const bodyOf = (e: XmlElement): string | undefined => textOf(findChild(e, 'body'));

/** Bare JID of a full or bare JID string. */
export const bare = (jid: string | undefined): string => (jid ?? '').split('/')[0] ?? '';
