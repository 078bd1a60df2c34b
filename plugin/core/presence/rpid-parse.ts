import { childElements, localName, namespaceOf, textOf, type XmlElement } from '../xml/xml-element';
import type { PidfNote, RpidFields } from './pidf-model';
import { ignore, langOf, readNote, type ParseCtx } from './pidf-parse-context';
import { isRpidActivity, RPID_NS, type RpidActivity, type RpidUserInput } from './rpid';

/**
 * Reads the RPID (RFC 4480) elements the gateway maps: <activities> (with its
 * <note>s and <other>), <user-input>, <class>, and a stray <rpid:note>. Strict
 * about XML (the restricted parser ran before), lenient about values: an
 * activity RFC 4480 does not define, or a user-input other than active/idle, is
 * a warning and is dropped, never an error, so the rest of the document still
 * maps. Activities in a namespace other than RPID are schema extensions
 * (##other) and are listed as ignored.
 */
export interface RpidDraft {
  readonly activities: RpidActivity[];
  readonly others: PidfNote[];
  /** <rpid:note>s: they join the notes of the person or tuple that holds them. */
  readonly notes: PidfNote[];
  userInput?: RpidUserInput;
  rpidClass?: string;
}

export const newRpidDraft = (): RpidDraft => ({ activities: [], others: [], notes: [] });

/**
 * @param where names the holder in warnings ('person', 'tuple "t1"').
 * @returns false when e is not an RPID element read here (the caller ignores it).
 */
export function readRpid(e: XmlElement, into: RpidDraft, inheritedLang: string | undefined, ctx: ParseCtx, where: string): boolean {
  if (namespaceOf(e) !== RPID_NS) return false;
  switch (localName(e)) {
    case 'activities':
      readActivities(e, into, langOf(e, inheritedLang), ctx, where);
      return true;
    case 'note':
      into.notes.push(readNote(e, inheritedLang));
      return true;
    case 'user-input': {
      const v = (textOf(e) ?? '').trim();
      // "active" anywhere wins: someone is using one of the devices/services.
      if (v === 'active' || v === 'idle') into.userInput = into.userInput === 'active' ? 'active' : v;
      else ctx.warnings.push({ code: 'unknown-user-input', detail: `${where}: user-input "${v.slice(0, 40)}" ignored` });
      return true;
    }
    case 'class': {
      const v = (textOf(e) ?? '').trim();
      if (v !== '' && into.rpidClass === undefined) into.rpidClass = v;
      return true;
    }
    default:
      return false;
  }
}

function readActivities(e: XmlElement, into: RpidDraft, lang: string | undefined, ctx: ParseCtx, where: string): void {
  const text = (textOf(e) ?? '').trim();
  if (text !== '') ctx.warnings.push({ code: 'unknown-activity', detail: `${where}: activities text "${text.slice(0, 40)}" ignored (RFC 4480 §3.2 uses elements)` });
  for (const a of childElements(e)) {
    const local = localName(a);
    if (namespaceOf(a) !== RPID_NS) ignore(a, ctx);
    else if (local === 'note') into.notes.push(readNote(a, lang));
    else if (local === 'other') into.others.push(readNote(a, lang));
    else if (isRpidActivity(local)) {
      if (!into.activities.includes(local)) into.activities.push(local);
    } else ctx.warnings.push({ code: 'unknown-activity', detail: `${where}: activity "${local.slice(0, 40)}" ignored` });
  }
}

/** The draft as model fields, only those that were sent. */
export function rpidFields(d: RpidDraft): RpidFields {
  return {
    ...(d.activities.length ? { activities: d.activities } : {}),
    ...(d.others.length ? { otherActivities: d.others } : {}),
    ...(d.userInput ? { userInput: d.userInput } : {}),
    ...(d.rpidClass !== undefined ? { rpidClass: d.rpidClass } : {}),
  };
}

export function hasRpid(f: RpidFields | undefined): boolean {
  return f !== undefined && Object.keys(f).length > 0;
}
