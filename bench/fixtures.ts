/**
 * Deterministic benchmark inputs shaped like S2S traffic between a Lync-style
 * gateway and a public XMPP server: RFC 6121 §5 chat messages with a thread,
 * an XEP-0085 chat state and (on most) an XEP-0184 receipt request. About one
 * body in two is non-ASCII (Latin-1, Cyrillic, CJK, astral emoji) or carries
 * escaped markup, so the UTF-8 byte counting and entity paths are exercised.
 * No randomness: every run measures the same bytes.
 */

export const STREAM_HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' " +
  "xmlns:db='jabber:server:dialback' from='capulet.example' to='montague.example' version='1.0'>";

/** Body texts as they appear on the wire (already XML-escaped where needed). */
const BODIES = [
  'Art thou not Romeo, and a Montague?',
  'Café at five? Ça marche, à tout à l’heure.',
  'Neither, fair saint, if either thee dislike.',
  'Größe &amp; Gewicht: 3 &lt; 5, bitte prüfen.',
  'Meeting moved to room 4.12 at 15:30.',
  '東京の会議は来週の火曜日に変更です。',
  'The &quot;federation&quot; draft looks fine.',
  'Привет! Созвон в 10:00, ссылка в календаре.',
  'Deploy is green, promoting after lunch.',
  'See you at the launch party 🎉🙂',
] as const;

const USERS = ['juliet', 'romeo', 'nurse', 'benvolio', 'mercutio', 'tybalt', 'rosaline'] as const;
const RESOURCES = ['balcony', 'orchard', 'lync-2013', 'mobile'] as const;

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;
/** A 24-hex-digit thread id derived from i (Knuth multiplicative hash, so ids look unrelated). */
const threadId = (i: number) => Array.from({ length: 3 }, (_, k) => (((i + k * 7919) * 2654435761) >>> 0).toString(16).padStart(8, '0')).join('');

/** The i-th message stanza of the benchmark stream, as wire text. */
export function messageStanzaXml(i: number): string {
  const from = `${pick(USERS, i)}@capulet.example/${pick(RESOURCES, i >> 1)}`;
  const to = `${pick(USERS, i + 3)}@montague.example`;
  const receipt = i % 4 === 3 ? '' : "<request xmlns='urn:xmpp:receipts'/>";
  return (
    `<message from='${from}' to='${to}' id='msg-${String(i).padStart(6, '0')}' type='chat' xml:lang='en'>` +
    `<body>${pick(BODIES, i)}</body><thread>${threadId(i)}</thread>` +
    `<active xmlns='http://jabber.org/protocol/chatstates'/>${receipt}</message>`
  );
}

/** The stream a peer server would send: header, then `count` stanzas (the stream stays open). */
export function messageStream(count: number): string {
  const parts: string[] = [STREAM_HEADER];
  for (let i = 0; i < count; i++) parts.push(messageStanzaXml(i));
  return parts.join('');
}

/** One stanza wrapped in a jabber:server stream, so parsers resolve its namespace as on the wire. */
export function inStream(stanzaXml: string): string {
  return `${STREAM_HEADER.replace("<?xml version='1.0'?>", '')}${stanzaXml}</stream:stream>`;
}

/**
 * A typical PIDF NOTIFY body (RFC 3863 with RFC 4480 RPID and the RFC 8048
 * §6.2 embedded show), about 600 bytes: what a Lync/SIP presence update carries.
 */
export const PIDF_DOCUMENT =
  "<?xml version='1.0' encoding='UTF-8'?>\n" +
  "<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'\n" +
  "  xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:juliet@capulet.example'>\n" +
  "  <tuple id='t-balcony'>\n" +
  '    <status><basic>open</basic><show xmlns=\'jabber:client\'>away</show></status>\n' +
  "    <contact priority='0.8'>sip:juliet@capulet.example;gr=balcony</contact>\n" +
  "    <note xml:lang='fr'>En réunion jusqu’à 15 h</note>\n" +
  '    <timestamp>2024-05-14T12:30:00Z</timestamp>\n' +
  '  </tuple>\n' +
  "  <dm:person id='p-juliet'>\n" +
  '    <rpid:activities><rpid:meeting/></rpid:activities>\n' +
  '  </dm:person>\n' +
  '</presence>';
