/**
 * Representative PIDF bodies in the shape Jitsi (SIP Communicator) publishes:
 * the <dm:person> with its <rpid:activities> first, then one tuple whose
 * <note> holds the status name shown in the UI ("In a meeting", "Away"). The
 * XML declaration says standalone="no". Written from that RFC 4479/4480 shape,
 * not captures.
 */
const body = (activity: string | undefined, basic: 'open' | 'closed', note: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="no"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@jitsi.example.com">` +
  (activity ? `<dm:person id="p3821"><rpid:activities><rpid:${activity}/></rpid:activities></dm:person>` : '') +
  `<tuple id="t7765"><status><basic>${basic}</basic></status><contact>sip:bob@jitsi.example.com</contact><note>${note}</note></tuple></presence>`;

export const JITSI_IN_A_MEETING = body('meeting', 'open', 'In a meeting');
export const JITSI_AWAY = body('away', 'open', 'Away');
export const JITSI_BUSY = body('busy', 'open', 'Busy');
export const JITSI_ONLINE = body(undefined, 'open', 'Online');
export const JITSI_OFFLINE = body(undefined, 'closed', 'Offline');
