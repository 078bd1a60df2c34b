import type { InboundSipNotify, InboundSipSubscribe } from '../use-cases/presence-ports';
import type { SrfMessageRequest } from './inbound-sip-message';

/** A drachtio-srf SUBSCRIBE or NOTIFY: a MESSAGE-like request plus drachtio's dialog id. */
export interface SrfPresenceRequest extends SrfMessageRequest {
  /**
   * Token 9 of the `sip|network` frame (PROTOCOL-NOTES §3.2): set for a request inside a
   * dialog drachtio knows, '' otherwise. srf hands us in-dialog requests it has no Dialog
   * object for (srf.js dialog()): the gateway keeps none, by design.
   */
  readonly stackDialogId?: string;
}

function reader(req: SrfPresenceRequest): (name: string) => string | undefined {
  return (name) => {
    const v = req.get(name);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
}

const dialogOf = (req: SrfPresenceRequest): { dialogId?: string } =>
  typeof req.stackDialogId === 'string' && req.stackDialogId !== '' ? { dialogId: req.stackDialogId } : {};

/** Copies a SUBSCRIBE into the use-case's plain data (headers only; every decision is the use-case's). */
export function toInboundSipSubscribe(req: SrfPresenceRequest): InboundSipSubscribe {
  const h = reader(req);
  const port = req.source_port === undefined ? undefined : Number(req.source_port);
  return {
    source: {
      address: req.source_address ?? '',
      ...(port !== undefined && Number.isFinite(port) ? { port } : {}),
      ...(req.protocol ? { protocol: req.protocol } : {}),
    },
    ...dialogOf(req),
    ...opt('maxForwards', h('Max-Forwards')),
    requestUri: req.uri,
    from: h('From') ?? '',
    to: h('To') ?? '',
    ...opt('contact', h('Contact')),
    callId: h('Call-ID') ?? '',
    ...opt('event', h('Event')),
    ...opt('expires', h('Expires')),
    ...opt('accept', h('Accept')),
  };
}

/** Copies a NOTIFY into the use-case's plain data. */
export function toInboundSipNotify(req: SrfPresenceRequest): InboundSipNotify {
  const h = reader(req);
  return {
    ...dialogOf(req),
    callId: h('Call-ID') ?? '',
    from: h('From') ?? '',
    to: h('To') ?? '',
    ...opt('event', h('Event')),
    ...opt('subscriptionState', h('Subscription-State')),
    ...opt('contentType', h('Content-Type')),
    ...opt('contentLanguage', h('Content-Language')),
    body: req.body ?? '',
  };
}

function opt<K extends string>(key: K, v: string | undefined): { [P in K]?: string } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: string };
}
