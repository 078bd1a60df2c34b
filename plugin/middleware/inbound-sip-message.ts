import type { InboundSipMessage } from '../use-cases/sip-request';
import { sipBodyText } from './sip-body-utf8';

/** The few fields of a drachtio-srf request the gateway reads (srf's typings miss several). */
export interface SrfMessageRequest {
  readonly uri: string;
  readonly body?: string;
  readonly source_address?: string;
  readonly source_port?: number | string;
  readonly protocol?: string;
  /** The body bytes as received, when the drachtio adapter keeps them (srf itself only keeps the decoded string). */
  readonly rawBody?: Uint8Array;
  get(header: string): string | undefined;
  has?(header: string): boolean;
}

/**
 * Copies a drachtio-srf MESSAGE request into the use-case's plain data. It
 * reads headers and nothing else: every decision is the use-case's.
 */
export function toInboundSipMessage(req: SrfMessageRequest): InboundSipMessage {
  const h = (name: string): string | undefined => {
    const v = req.get(name);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const cseq = h('CSeq');
  const cseqNumber = cseq === undefined ? undefined : Number.parseInt(cseq, 10);
  const port = req.source_port === undefined ? undefined : Number(req.source_port);
  const body = sipBodyText(req.body ?? '', h('Content-Length'), req.rawBody);
  return {
    source: {
      address: req.source_address ?? '',
      ...(port !== undefined && Number.isFinite(port) ? { port } : {}),
      ...(req.protocol ? { protocol: req.protocol } : {}),
    },
    ...opt('maxForwards', h('Max-Forwards')),
    requestUri: req.uri,
    from: h('From') ?? '',
    to: h('To') ?? '',
    ...opt('contact', h('Contact')),
    callId: h('Call-ID') ?? '',
    ...(cseqNumber !== undefined && Number.isFinite(cseqNumber) ? { cseq: cseqNumber } : {}),
    ...opt('contentType', h('Content-Type')),
    ...opt('contentLanguage', h('Content-Language')),
    ...opt('subject', h('Subject')),
    body: body.body,
    ...(body.notUtf8 ? { bodyNotUtf8: true } : {}),
  };
}

function opt<K extends string>(key: K, v: string | undefined): { [P in K]?: string } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: string };
}
