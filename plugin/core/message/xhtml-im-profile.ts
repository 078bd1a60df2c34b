/**
 * The XEP-0071 (XHTML-IM) recommended profile, as data: which elements and
 * attributes survive, which are renamed to their profile equivalent, and which
 * are removed with everything inside them. XEP-0071 §9 and §10 (security):
 * a receiving entity MUST NOT pass through scripts, event handlers or
 * arbitrary styles, so everything not listed here is dropped.
 */
export const XHTML_IM_NS = 'http://jabber.org/protocol/xhtml-im';
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** XEP-0071 §7 recommended profile, minus <img> (remote fetches leak presence; XEP-0071 §10). */
export const PROFILE_ELEMENTS: ReadonlySet<string> = new Set([
  'p', 'br', 'span', 'a', 'strong', 'em', 'ul', 'ol', 'li', 'blockquote', 'cite', 'code', 'q',
]);

/** Common HTML elements mapped onto the nearest profile element instead of being unwrapped. */
export const RENAMED_ELEMENTS: Readonly<Record<string, string>> = {
  b: 'strong', i: 'em', tt: 'code', kbd: 'code', samp: 'code', pre: 'p', div: 'p',
  h1: 'p', h2: 'p', h3: 'p', h4: 'p', h5: 'p', h6: 'p', dfn: 'em', var: 'em',
};

/** Elements dropped together with their content (active content, metadata, form controls). */
export const DROPPED_WITH_CONTENT: ReadonlySet<string> = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'head', 'title',
  'template', 'noscript', 'textarea', 'select', 'option', 'button', 'svg', 'math', 'canvas', 'audio',
  'video', 'img', 'link', 'meta', 'base', 'form', 'input',
]);

/** Elements that start a new line in the plain-text fallback body. */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set(['p', 'li', 'ul', 'ol', 'blockquote', 'tr']);

/** XEP-0071 §7 "recommended style properties". */
export const CSS_PROPERTIES: ReadonlySet<string> = new Set([
  'background-color', 'color', 'font-family', 'font-size', 'font-style', 'font-weight',
  'margin-left', 'margin-right', 'text-align', 'text-decoration',
]);

/** URI schemes allowed in <a href> (no javascript:, data:, vbscript:, file:, relative URIs). */
export const HREF_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'mailto', 'xmpp', 'sip', 'sips']);

const CSS_VALUE = /^[a-zA-Z0-9#%.,' "-]{1,100}$/;

/** Keeps only whitelisted declarations with plain values (no url(), expression(), escapes). */
export function filterStyle(style: string): string | undefined {
  const kept: string[] = [];
  for (const decl of style.split(';')) {
    const colon = decl.indexOf(':');
    if (colon < 0) continue;
    const prop = decl.slice(0, colon).trim().toLowerCase();
    const value = decl.slice(colon + 1).trim();
    if (!CSS_PROPERTIES.has(prop) || !CSS_VALUE.test(value) || /expression|url/i.test(value)) continue;
    kept.push(`${prop}: ${value}`);
  }
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/** Returns the href if its scheme is allowed; browsers ignore embedded whitespace, so any is refused. */
export function filterHref(href: string): string | undefined {
  const h = href.trim();
  if (h === '' || /[\u0000-\u0020\u007F]/.test(h)) return undefined;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(h);
  return m && HREF_SCHEMES.has(m[1]!.toLowerCase()) ? h : undefined;
}
