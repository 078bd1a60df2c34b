/**
 * Representative PIDF bodies in the shape Linphone (liblinphone) publishes:
 * one tuple with <basic> and <contact>, the activity in the RFC 4479
 * <dm:person> as an RFC 4480 <rpid:activities> child, an optional <dm:note>
 * for the user's text. Written from that RFC 4479/4480 shape, not captures.
 */
const head = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@sip.example.org">
  <tuple id="ob8a2c">
    <status>
      <basic>BASIC</basic>
    </status>
    <contact>sip:alice@sip.example.org</contact>
    <timestamp>2026-12-07T14:02:11Z</timestamp>
  </tuple>`;
const withBasic = (basic: 'open' | 'closed') => head.replace('BASIC', basic);

export const LINPHONE_ON_THE_PHONE = `${withBasic('open')}
  <dm:person id="f1a9e3">
    <rpid:activities>
      <rpid:on-the-phone/>
    </rpid:activities>
    <dm:timestamp>2026-12-07T14:02:11Z</dm:timestamp>
  </dm:person>
</presence>`;

export const LINPHONE_AWAY_WITH_NOTE = `${withBasic('open')}
  <dm:person id="f1a9e3">
    <rpid:activities>
      <rpid:away/>
    </rpid:activities>
    <dm:note xml:lang="fr">Parti déjeuner, de retour à 14 h</dm:note>
  </dm:person>
</presence>`;

export const LINPHONE_VACATION = `${withBasic('open')}
  <dm:person id="f1a9e3">
    <rpid:activities>
      <rpid:vacation/>
    </rpid:activities>
  </dm:person>
</presence>`;

export const LINPHONE_ONLINE = `${withBasic('open')}
</presence>`;

export const LINPHONE_OFFLINE = `${withBasic('closed')}
</presence>`;
