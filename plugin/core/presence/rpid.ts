/**
 * RPID, RFC 4480: the rich presence elements real SIP UAs put into PIDF next
 * to (or instead of) <basic>. Linphone, Jitsi, Bria, Zoiper and baresip say
 * "away", "busy", "on the phone" with <rpid:activities> inside the RFC 4479
 * <dm:person>; some UAs put the same element inside a tuple's <status>
 * (__fixtures__/ holds representative bodies of both shapes, not captures).
 * This file is the vocabulary only; the PIDF parser (rpid-parse.ts) and the
 * XMPP mapping (rpid-mapping.ts) use it.
 */
export const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid';

/**
 * The enumerated activities of RFC 4480 §3.2 (schema: the <activities> choice),
 * without <other> (free text, kept separately) and <note>. "unknown" is a value
 * of its own: the presentity says the activity is not known.
 */
export const RPID_ACTIVITIES = [
  'appointment',
  'away',
  'breakfast',
  'busy',
  'dinner',
  'holiday',
  'in-transit',
  'looking-for-work',
  'lunch',
  'meal',
  'meeting',
  'on-the-phone',
  'performance',
  'permanent-absence',
  'playing',
  'presentation',
  'shopping',
  'sleeping',
  'spectator',
  'steering',
  'travel',
  'tv',
  'unknown',
  'vacation',
  'working',
  'worship',
] as const;

export type RpidActivity = (typeof RPID_ACTIVITIES)[number];

export function isRpidActivity(local: string): local is RpidActivity {
  return (RPID_ACTIVITIES as readonly string[]).includes(local);
}

/** <rpid:user-input> values (RFC 4480: "active" or "idle"). */
export type RpidUserInput = 'active' | 'idle';
