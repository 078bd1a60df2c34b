/**
 * Representative PIDF bodies in the shape baresip's presence module
 * publishes: a <dm:person> with one <rpid:activities> child first, then a
 * tuple with <basic> and <contact>, no note. Written from that RFC 4479/4480
 * shape, not captures.
 */
const body = (activity: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n` +
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:carl@baresip.example.org">\r\n` +
  `<dm:person id="p4159"><rpid:activities><rpid:${activity}/></rpid:activities></dm:person>\r\n` +
  `<tuple id="t4109"><status><basic>open</basic></status><contact>sip:carl@baresip.example.org</contact></tuple>\r\n` +
  `</presence>\r\n`;

export const BARESIP_BUSY = body('busy');
export const BARESIP_AWAY = body('away');
