import { el, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { NS_STREAM_ERRORS, NS_XMPP_ERRORS } from './namespaces';

/** RFC 6120 §4.9.3: the defined stream error conditions. */
export const STREAM_ERROR_CONDITIONS = [
  'bad-format', 'bad-namespace-prefix', 'conflict', 'connection-timeout', 'host-gone', 'host-unknown',
  'improper-addressing', 'internal-server-error', 'invalid-from', 'invalid-namespace', 'invalid-xml',
  'not-authorized', 'not-well-formed', 'policy-violation', 'remote-connection-failed', 'reset',
  'resource-constraint', 'restricted-xml', 'see-other-host', 'system-shutdown', 'undefined-condition',
  'unsupported-encoding', 'unsupported-feature', 'unsupported-stanza-type', 'unsupported-version',
] as const;
export type StreamErrorCondition = (typeof STREAM_ERROR_CONDITIONS)[number];

/** A reason to close a stream: the condition, optional text, optional application element (RFC 6120 §4.9.4). */
export interface StreamError {
  readonly condition: StreamErrorCondition;
  readonly text?: string;
  /** Application-specific condition, e.g. <stanza-too-big xmlns='urn:xmpp:errors'/>. */
  readonly app?: XmlElement;
}

export function streamError(condition: StreamErrorCondition, text?: string, app?: XmlElement): StreamError {
  return { condition, ...(text !== undefined ? { text } : {}), ...(app ? { app } : {}) };
}

/** Prosody's answer to an oversized stanza: policy-violation + <stanza-too-big/> (mod_s2s / util.xmppstream). */
export function stanzaTooBig(text: string): StreamError {
  return streamError('policy-violation', text, el('stanza-too-big', { xmlns: NS_XMPP_ERRORS }));
}

export function isStreamErrorCondition(s: string): s is StreamErrorCondition {
  return (STREAM_ERROR_CONDITIONS as readonly string[]).includes(s);
}

/** The <stream:error/> element, RFC 6120 §4.9.2 (the stream prefix is declared in our header). */
export function streamErrorElement(e: StreamError): XmlElement {
  return el('stream:error', {},
    el(e.condition, { xmlns: NS_STREAM_ERRORS }),
    e.text !== undefined && el('text', { xmlns: NS_STREAM_ERRORS, 'xml:lang': 'en' }, e.text),
    e.app);
}

/** Reads a received <stream:error/> (RFC 6120 §4.9.2); unknown conditions become undefined-condition. */
export function parseStreamError(e: XmlElement): StreamError {
  let condition: StreamErrorCondition = 'undefined-condition';
  let text: string | undefined;
  for (const c of e.children) {
    if (typeof c === 'string') continue;
    const local = c.name.includes(':') ? c.name.slice(c.name.indexOf(':') + 1) : c.name;
    if (local === 'text') text = c.children.filter((t): t is string => typeof t === 'string').join('');
    else if (isStreamErrorCondition(local)) condition = local;
  }
  return streamError(condition, text);
}

export type LogLevel = 'debug' | 'info' | 'warn';

/**
 * Log level of a stream closed with each condition, after Prosody's
 * `stream_condition_severity` (mod_s2s.lua): routine closes are info/debug,
 * protocol violations by the peer are warnings.
 */
export const STREAM_CONDITION_SEVERITY: Readonly<Record<StreamErrorCondition, LogLevel>> = {
  'bad-format': 'warn',
  'bad-namespace-prefix': 'warn',
  conflict: 'warn',
  'connection-timeout': 'debug',
  'host-gone': 'info',
  'host-unknown': 'info',
  'improper-addressing': 'warn',
  'internal-server-error': 'warn',
  'invalid-from': 'warn',
  'invalid-namespace': 'warn',
  'invalid-xml': 'warn',
  'not-authorized': 'warn',
  'not-well-formed': 'warn',
  'policy-violation': 'warn',
  'remote-connection-failed': 'warn',
  reset: 'info',
  'resource-constraint': 'info',
  'restricted-xml': 'warn',
  'see-other-host': 'info',
  'system-shutdown': 'info',
  'undefined-condition': 'warn',
  'unsupported-encoding': 'warn',
  'unsupported-feature': 'warn',
  'unsupported-stanza-type': 'warn',
  'unsupported-version': 'warn',
};
