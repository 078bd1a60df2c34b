/**
 * Representative PIDF bodies in the shape of Microsoft's PIDF interop
 * (Lync/Skype for Business towards non-Microsoft SIP presence; its native
 * format is msrtc categories, not this): no RFC 4479 person, the RPID
 * activity inside the tuple's <status>, <contact priority='1'>, a note with
 * xml:lang en-US, and a closed tuple for "Appear offline". Written from the
 * RFC 3863/4480 shape, not captures; confirm against a real Lync/SfB trace
 * before relying on details.
 */
const body = (basic: 'open' | 'closed', activity: string | undefined, note: string | undefined) => `<?xml version="1.0" encoding="utf-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:carol@contoso.com">
  <tuple id="ID-carol-sfb">
    <status>
      <basic>${basic}</basic>${activity ? `\n      <rpid:activities><rpid:${activity}/></rpid:activities>` : ''}
    </status>
    <contact priority="1">sip:carol@contoso.com</contact>${note ? `\n    <note xml:lang="en-US">${note}</note>` : ''}
  </tuple>
</presence>`;

export const MICROSOFT_IN_A_MEETING = body('open', 'meeting', 'In a meeting until 3 PM');
export const MICROSOFT_BE_RIGHT_BACK = body('open', 'away', 'Be right back');
export const MICROSOFT_PRESENTING = body('open', 'presentation', undefined);
export const MICROSOFT_APPEAR_OFFLINE = body('closed', 'busy', undefined);
