import type { PresenceShow } from '../stanza/stanza';
import type { PidfNote, RpidFields } from './pidf-model';
import type { RpidActivity } from './rpid';

/**
 * RPID activities ⇄ XMPP <show/>. RFC 8048 §6.3 maps only basic, note and the
 * embedded jabber:client <show>; real SIP UAs say "away", "busy" or "on the
 * phone" with RFC 4480 §3.2 activities instead, and a gateway that ignored
 * them would show every such contact as plainly available. The table below is
 * this gateway's mapping, in the spirit of RFC 4480 §3.2 (what the activity
 * says about reachability) and XEP-0108 (the same vocabulary on the XMPP side,
 * where <show/> stays the coarse summary):
 *
 *   RPID activity                                        <show/>   phrase when there is no note
 *   busy                                                 dnd       Busy
 *   on-the-phone                                         dnd       On the phone
 *   meeting                                              dnd       In a meeting
 *   presentation                                         dnd       Giving a presentation
 *   performance                                          dnd       Performing
 *   in-transit (a passenger, RFC 4480)                   dnd       In transit
 *   steering (driving)                                   dnd       Driving
 *   worship                                              dnd       At worship
 *   away                                                 away      Away
 *   appointment                                          away      At an appointment
 *   breakfast / lunch / dinner / meal                    away      Having breakfast / At lunch / …
 *   shopping                                             away      Shopping
 *   spectator (watching an event)                        away      Watching an event
 *   playing / tv (recreation)                            away      Playing / Watching TV
 *   vacation / holiday                                   xa        On vacation / On holiday
 *   travel (a trip, not just a ride)                     xa        Travelling
 *   sleeping                                             xa        Sleeping
 *   permanent-absence                                    xa        Permanently absent
 *   working / looking-for-work                           (none)    Working / Looking for work
 *   unknown (RFC 4480: the activity is not known)        (none)    (none)
 *   <other>text</other>                                  (none)    the text itself
 *   <user-input>idle</user-input>                        away      (none)   (only where no activity gives a <show/>)
 *
 * Several activities at once (RFC 4480 allows it): the least available one
 * wins, dnd > xa > away > none, so "lunch + on-the-phone" is dnd. Ties go to
 * document order.
 */
interface ActivityMapping {
  readonly show?: PresenceShow;
  readonly phrase?: string;
}

export const ACTIVITY_TO_XMPP: Readonly<Record<RpidActivity, ActivityMapping>> = {
  busy: { show: 'dnd', phrase: 'Busy' },
  'on-the-phone': { show: 'dnd', phrase: 'On the phone' },
  meeting: { show: 'dnd', phrase: 'In a meeting' },
  presentation: { show: 'dnd', phrase: 'Giving a presentation' },
  performance: { show: 'dnd', phrase: 'Performing' },
  'in-transit': { show: 'dnd', phrase: 'In transit' },
  steering: { show: 'dnd', phrase: 'Driving' },
  worship: { show: 'dnd', phrase: 'At worship' },
  away: { show: 'away', phrase: 'Away' },
  appointment: { show: 'away', phrase: 'At an appointment' },
  breakfast: { show: 'away', phrase: 'Having breakfast' },
  lunch: { show: 'away', phrase: 'At lunch' },
  dinner: { show: 'away', phrase: 'Having dinner' },
  meal: { show: 'away', phrase: 'Having a meal' },
  shopping: { show: 'away', phrase: 'Shopping' },
  spectator: { show: 'away', phrase: 'Watching an event' },
  playing: { show: 'away', phrase: 'Playing' },
  tv: { show: 'away', phrase: 'Watching TV' },
  vacation: { show: 'xa', phrase: 'On vacation' },
  holiday: { show: 'xa', phrase: 'On holiday' },
  travel: { show: 'xa', phrase: 'Travelling' },
  sleeping: { show: 'xa', phrase: 'Sleeping' },
  'permanent-absence': { show: 'xa', phrase: 'Permanently absent' },
  working: { phrase: 'Working' },
  'looking-for-work': { phrase: 'Looking for work' },
  unknown: {},
};

/** The language of the phrases above (they label the <status/> they become). */
export const ACTIVITY_PHRASE_LANG = 'en';

/** Lower is less available: the order in which activities override each other. */
const RESTRICTIVENESS: Readonly<Record<PresenceShow | 'none', number>> = { dnd: 0, xa: 1, away: 2, none: 3, chat: 4 };

export interface RpidPresence {
  /** Undefined: the RPID data implies no <show/> (available, or nothing known). */
  readonly show?: PresenceShow;
  /** The <other> activity texts of the deciding element (tuple, else person). */
  readonly other?: ReadonlyArray<PidfNote>;
  /** The phrase of the deciding activity, xml:lang ACTIVITY_PHRASE_LANG. */
  readonly phrase?: PidfNote;
}

/**
 * What the RPID data of a tuple says, falling back to its person: activities
 * of the tuple are about that service and override the person's (RFC 4479: the
 * person is the presentity as a whole, a tuple one of its services); user-input
 * "idle" gives away only where no activity gives a <show/>.
 */
export function rpidToXmpp(tuple: RpidFields | undefined, person: RpidFields | undefined): RpidPresence {
  const speaks = (f: RpidFields | undefined) => Boolean(f?.activities?.length || f?.otherActivities?.length);
  const source = speaks(tuple) ? tuple : speaks(person) ? person : undefined;
  let decided: RpidActivity | undefined;
  for (const a of source?.activities ?? []) {
    if (decided === undefined || rank(ACTIVITY_TO_XMPP[a].show) < rank(ACTIVITY_TO_XMPP[decided].show)) decided = a;
  }
  const idle = (tuple?.userInput ?? person?.userInput) === 'idle';
  const show = (decided !== undefined ? ACTIVITY_TO_XMPP[decided].show : undefined) ?? (idle ? 'away' : undefined);
  const phrase = decided !== undefined ? ACTIVITY_TO_XMPP[decided].phrase : undefined;
  return {
    ...(show ? { show } : {}),
    ...(source?.otherActivities?.length ? { other: source.otherActivities } : {}),
    ...(phrase !== undefined ? { phrase: { lang: ACTIVITY_PHRASE_LANG, text: phrase } } : {}),
  };
}

function rank(show: PresenceShow | undefined): number {
  return RESTRICTIVENESS[show ?? 'none'];
}

/**
 * XMPP → SIP (RFC 4480 §3.2, next to RFC 8048 §6.2's embedded <show>): the
 * activity a UA that reads only RPID needs to show the right state. RFC 4480
 * has no "extended away", so xa is "away" too; chat and no <show/> mean
 * available, which RPID says by sending no activity.
 */
export function showToActivities(show: PresenceShow | undefined): ReadonlyArray<RpidActivity> {
  switch (show) {
    case 'dnd':
      return ['busy'];
    case 'away':
    case 'xa':
      return ['away'];
    default:
      return [];
  }
}
