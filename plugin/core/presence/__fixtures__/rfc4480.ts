/**
 * A PIDF body modelled on the RFC 4480 examples (not copied verbatim): a tuple
 * with notes in two languages and <rpid:class>, a person whose
 * <rpid:activities> has from/until, an <rpid:note> and <rpid:away/>, the RPID
 * elements the gateway does not map (mood, place-is, sphere), and a device
 * with <rpid:user-input>. Also the tuple-level shape some UAs use
 * (<rpid:activities> as a direct child of <tuple>) and an <rpid:other>
 * activity. Written from RFC 4479/4480, not captures.
 */
export const RFC4480_RICH = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rp="urn:ietf:params:xml:ns:pidf:rpid" entity="pres:someone@example.com">
  <tuple id="bs35r9">
    <status><basic>open</basic></status>
    <rp:class>assistant</rp:class>
    <contact priority="0.8">im:someone@mobilecarrier.net</contact>
    <note xml:lang="en">Don't Disturb Please!</note>
    <note xml:lang="fr">Ne dérangez pas, s'il vous plaît</note>
    <timestamp>2026-12-07T16:49:29Z</timestamp>
  </tuple>
  <dm:person id="p1">
    <rp:activities from="2026-12-07T12:00:00+05:00" until="2026-12-07T17:00:00+05:00">
      <rp:note>Far away</rp:note>
      <rp:away/>
    </rp:activities>
    <rp:class>calendar</rp:class>
    <rp:mood><rp:angry/><rp:other>brooding</rp:other></rp:mood>
    <rp:place-is><rp:audio><rp:noisy/></rp:audio></rp:place-is>
    <rp:sphere>bowling league</rp:sphere>
    <dm:note>Scoring 120</dm:note>
  </dm:person>
  <dm:device id="pc122">
    <rp:user-input idle-threshold="600" last-input="2026-12-07T13:20:00.000-05:00">idle</rp:user-input>
    <dm:deviceID>urn:device:0003ba4811e3</dm:deviceID>
  </dm:device>
</presence>`;

export const TUPLE_LEVEL_ACTIVITY = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:dan@example.net">
  <tuple id="desk">
    <status><basic>open</basic></status>
    <rpid:activities><rpid:steering/></rpid:activities>
    <contact priority="0.5">sip:dan@example.net</contact>
  </tuple>
</presence>`;

export const OTHER_ACTIVITY = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:erin@example.net">
  <tuple id="t1"><status><basic>open</basic></status></tuple>
  <dm:person id="p1">
    <rpid:activities><rpid:other xml:lang="es">Trabajando desde casa</rpid:other></rpid:activities>
  </dm:person>
</presence>`;
