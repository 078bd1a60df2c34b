/**
 * Representative PIDF bodies in the shape CounterPath Bria publishes: a tuple
 * with a <contact priority> pointing at the registered device, a <dm:person>
 * carrying <rpid:activities>, the CIPID namespace declared (RFC 4482) and the
 * status text as <dm:note>; "idle" auto-away as <rpid:user-input>. Written
 * from that RFC 4479/4480 shape, not captures.
 */
const body = (person: string) => `<?xml version='1.0' encoding='UTF-8'?>
<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' xmlns:c='urn:ietf:params:xml:ns:pidf:cipid' entity='sip:1001@pbx.example.net'>
<tuple id='t9c2d41'><status><basic>open</basic></status><contact priority='0.8'>sip:1001@192.0.2.10:5060;transport=udp</contact><timestamp>2026-12-07T14:10:00Z</timestamp></tuple>
<dm:person id='p0f1e77'>${person}</dm:person>
</presence>`;

export const BRIA_ON_THE_PHONE = body(`<rpid:activities><rpid:on-the-phone/></rpid:activities><dm:note>On the phone</dm:note>`);
export const BRIA_AWAY = body(`<rpid:activities><rpid:away/></rpid:activities><dm:note>Away</dm:note>`);
export const BRIA_IDLE = body(`<rpid:user-input>idle</rpid:user-input>`);
export const BRIA_DND_UNICODE = body(`<rpid:activities><rpid:busy/></rpid:activities><dm:note xml:lang='de'>Bitte nicht stören – Kundentermin ☎</dm:note>`);
