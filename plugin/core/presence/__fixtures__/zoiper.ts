/**
 * Representative PIDF bodies in the shape Zoiper publishes: the user's text
 * as the tuple <note>, the activity in a <dm:person> after the tuple.
 * Written from that RFC 4479/4480 shape, not captures.
 */
const body = (activity: string, note: string) => `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:zoe@voip.example.com">
 <tuple id="zoiper1">
  <status><basic>open</basic></status>
  <note>${note}</note>
 </tuple>
 <dm:person id="zoiperp1"><rpid:activities><rpid:${activity}/></rpid:activities></dm:person>
</presence>`;

export const ZOIPER_LUNCH = body('lunch', 'Out to lunch');
export const ZOIPER_DND = body('busy', 'Do not disturb');
