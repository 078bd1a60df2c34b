/** XML namespaces of an XMPP server-to-server stream (RFC 6120 §4.8, XEP-0220, XEP-0199, XEP-0030). */
export const NS_STREAMS = 'http://etherx.jabber.org/streams';
export const NS_SERVER = 'jabber:server';
export const NS_DIALBACK = 'jabber:server:dialback';
export const NS_DIALBACK_FEATURE = 'urn:xmpp:features:dialback';
export const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
export const NS_STREAM_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams';
export const NS_STANZA_ERRORS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
/** Application-specific condition Prosody sends with policy-violation for an oversized stanza. */
export const NS_XMPP_ERRORS = 'urn:xmpp:errors';
export const NS_PING = 'urn:xmpp:ping';
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
