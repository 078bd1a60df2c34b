import { err, ok, type Result } from '../../../plugin/core/result';
import { normalizeDomainpart } from '../../../plugin/core/address/jid';
import { escapeXML } from '@xmpp/xml';
import { NS_DIALBACK, NS_SERVER, NS_STREAMS } from './namespaces';
import { streamError, type StreamError } from './stream-error';

/** The addressing of an accepted inbound stream header (RFC 6120 §4.7.1–§4.7.2). */
export interface InboundHeader {
  /** Our domain, from the peer's 'to'. */
  readonly local: string;
  /** The peer's domain, from its 'from'. */
  readonly remote: string;
}

/** Namespace of the header element itself, resolving its prefix against its own declarations. */
function headerNamespace(name: string, attrs: Readonly<Record<string, string>>): string | undefined {
  const i = name.indexOf(':');
  return i < 0 ? attrs.xmlns : attrs[`xmlns:${name.slice(0, i)}`];
}

/** RFC 6120 §4.8.1–§4.8.2 namespaces and §4.7.5 version, common to both directions. */
export function checkStreamBasics(name: string, attrs: Readonly<Record<string, string>>): StreamError | undefined {
  const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
  if (local !== 'stream' || headerNamespace(name, attrs) !== NS_STREAMS) {
    return streamError('invalid-namespace', 'the stream namespace must be http://etherx.jabber.org/streams (RFC 6120 §4.8.1)');
  }
  if (attrs.xmlns !== NS_SERVER) {
    return streamError('invalid-namespace', 'the content namespace must be jabber:server (RFC 6120 §4.8.2)');
  }
  // §4.7.5: we speak 1.0 only; a missing version means a pre-1.0 (RFC 3920-less) peer.
  const m = /^(\d+)\.(\d+)$/.exec(attrs.version ?? '');
  if (!m || Number(m[1]) !== 1) return streamError('unsupported-version', 'version 1.0 is required (RFC 6120 §4.7.5)');
  return undefined;
}

function domainOf(v: string | undefined): string | undefined {
  if (v === undefined || v.includes('@') || v.includes('/')) return undefined;
  const d = normalizeDomainpart(v);
  return d.ok ? d.value : undefined;
}

/**
 * Checks the initiating server's header (RFC 6120 §4.7.1–§4.7.2, §4.9.3):
 * 'to' must be one of our domains (host-unknown), 'from' is required for
 * S2S and must be a domain (improper-addressing) that is not ours
 * (invalid-from). On a restart (`previous`), from/to must not change.
 */
export function validateInboundHeader(
  name: string,
  attrs: Readonly<Record<string, string>>,
  localDomains: ReadonlySet<string>,
  previous?: InboundHeader,
): Result<InboundHeader, StreamError> {
  const basic = checkStreamBasics(name, attrs);
  if (basic) return err(basic);
  if (attrs.to === undefined) return err(streamError('improper-addressing', "missing 'to' (RFC 6120 §4.7.2)"));
  const local = domainOf(attrs.to);
  if (local === undefined || !localDomains.has(local)) {
    return err(streamError('host-unknown', `${attrs.to} is not served here (RFC 6120 §4.9.3.6)`));
  }
  if (attrs.from === undefined) return err(streamError('improper-addressing', "missing 'from' (RFC 6120 §4.7.1)"));
  const remote = domainOf(attrs.from);
  if (remote === undefined) return err(streamError('improper-addressing', `'from' is not a domain (RFC 6120 §4.9.3.7)`));
  if (localDomains.has(remote)) return err(streamError('invalid-from', `${remote} is one of our own domains (RFC 6120 §4.9.3.9)`));
  if (previous && (previous.local !== local || previous.remote !== remote)) {
    return err(streamError('improper-addressing', 'from/to changed on stream restart (RFC 6120 §4.3.3)'));
  }
  return ok({ local, remote });
}

/**
 * Checks the receiving server's response header on our outbound stream: the
 * basics, an id (needed for dialback keys, RFC 6120 §4.7.3) and, when given,
 * a 'from' equal to the domain we asked for (§4.7.1).
 */
export function validateResponseHeader(
  name: string,
  attrs: Readonly<Record<string, string>>,
  remote: string,
): Result<{ readonly id: string }, StreamError> {
  const basic = checkStreamBasics(name, attrs);
  if (basic) return err(basic);
  if (attrs.from !== undefined && domainOf(attrs.from) !== remote) {
    return err(streamError('invalid-from', `response header from ${attrs.from}, expected ${remote} (RFC 6120 §4.7.1)`));
  }
  if (!attrs.id) return err(streamError('invalid-xml', 'response header without a stream id (RFC 6120 §4.7.3)'));
  return ok({ id: attrs.id });
}

/** Our stream header (RFC 6120 §4.7, XEP-0220 §2.1 declares the db prefix). Not self-closed: it opens the stream. */
export function streamHeader(h: { from: string; to?: string | undefined; id?: string | undefined }): string {
  const a = (k: string, v: string | undefined) => (v === undefined ? '' : ` ${k}='${escapeXML(v)}'`);
  return `<?xml version='1.0'?><stream:stream xmlns='${NS_SERVER}' xmlns:stream='${NS_STREAMS}' xmlns:db='${NS_DIALBACK}'` +
    `${a('from', h.from)}${a('to', h.to)}${a('id', h.id)} version='1.0'>`;
}

export const STREAM_CLOSE = '</stream:stream>';
