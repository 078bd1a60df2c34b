import { encodeStanza } from '../../plugin/core/stanza/stanza-codec';
import { stanzaError, type StanzaErrorCondition } from '../../plugin/core/stanza/stanza-error';
import type { XmlElement } from '../../plugin/core/xml/xml-element';
import type { XmppDelivery, XmppOut } from '../../plugin/use-cases/ports';

/** What the S2S edge reports for one stanza handed to it. */
export type EdgeSendResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly condition: StanzaErrorCondition; readonly text?: string };

export interface ConfirmingSender {
  /** Resolves once the stanza is written on an authenticated stream, or with why it could not be. */
  sendConfirmed(el: XmlElement): Promise<EdgeSendResult>;
}

/**
 * The XmppOut port over the S2S edge: encodes the typed stanza with the one
 * codec and waits for the edge's verdict. Never rejects (the port contract).
 */
export function createXmppOut(edge: ConfirmingSender): XmppOut {
  return {
    async sendStanza(s): Promise<XmppDelivery> {
      try {
        const r = await edge.sendConfirmed(encodeStanza(s, { ns: 'jabber:server' }));
        return r.ok ? { ok: true } : { ok: false, error: stanzaError(r.condition, r.text) };
      } catch (e) {
        return { ok: false, error: stanzaError('internal-server-error', e instanceof Error ? e.message : String(e)) };
      }
    },
  };
}
