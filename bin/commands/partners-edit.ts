/**
 * Edits of the `partners:` list in the configuration file's YAML document
 * (the `yaml` package's document API keeps comments, key order and layout of
 * everything not touched). Pure: text in, text out; the caller validates the
 * result with the full schema (Lync's matrix included) before writing it.
 */
import { isMap, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';

export type PartnerEdit =
  | { readonly action: 'add'; readonly domain: string; readonly fields: Readonly<Record<string, string | number | boolean>> }
  | { readonly action: 'set'; readonly domain: string; readonly fields: Readonly<Record<string, string | number | boolean>> }
  | { readonly action: 'remove'; readonly domain: string };

const norm = (d: unknown): string => String(d ?? '').trim().toLowerCase().replace(/\.$/, '');

function partnersSeq(doc: Document): YAMLSeq {
  const seq = doc.get('partners');
  if (isSeq(seq)) return seq;
  if (seq !== undefined && seq !== null) throw new Error('partners: is not a list in this file');
  const created = doc.createNode([]) as YAMLSeq;
  doc.set('partners', created);
  return created;
}

/** Index of the partner whose domain (or one of its additionalDomains) is `domain`. */
function indexOf(seq: YAMLSeq, domain: string): number {
  return seq.items.findIndex((it) => {
    if (!isMap(it)) return false;
    const m = it as YAMLMap;
    if (norm(m.get('domain')) === norm(domain)) return true;
    const extra = m.get('additionalDomains');
    return isSeq(extra) && extra.items.some((x) => norm((x as { value?: unknown }).value ?? x) === norm(domain));
  });
}

/** Applies one edit; throws with a message for the operator when it cannot apply. */
export function editPartners(text: string, e: PartnerEdit): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`the file is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
  const seq = partnersSeq(doc);
  const at = indexOf(seq, e.domain);
  if (e.action === 'add') {
    if (at >= 0) throw new Error(`${e.domain} is already a partner (use: partners set ${e.domain} …)`);
    seq.items.push(doc.createNode({ domain: norm(e.domain), ...e.fields }));
  } else if (at < 0) {
    throw new Error(`${e.domain} is not a partner in this file`);
  } else if (e.action === 'remove') {
    seq.items.splice(at, 1);
  } else {
    const m = seq.items[at] as YAMLMap;
    for (const [k, v] of Object.entries(e.fields)) m.set(k, v);
  }
  return doc.toString();
}
