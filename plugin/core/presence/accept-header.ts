import { PIDF_MEDIA_TYPE } from './pidf';

/**
 * Whether a SUBSCRIBE's Accept header admits PIDF, the body of every NOTIFY the gateway
 * sends. RFC 6665 §3.1.2: the Accept of a SUBSCRIBE names the body formats allowed in its
 * NOTIFYs; RFC 3261 §20.1: when the server cannot produce any of them the answer is 406
 * (§21.4.7). Absent means the package default, PIDF (RFC 3856 §6.6). A media-range
 * matches by type/subtype or wildcard (RFC 3261 §20.1, RFC 2616 §14.1), and `q=0` means
 * "not acceptable". Anything unparseable in one element just fails that element.
 */
export function acceptsPidf(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const [type, subtype] = PIDF_MEDIA_TYPE.split('/') as [string, string];
  // Bounded: at most 64 media-ranges are looked at.
  return accept.split(',').slice(0, 64).some((range) => {
    const [mt = '', ...params] = range.split(';').map((s) => s.trim());
    const [t, s] = mt.toLowerCase().split('/');
    const matches = (t === type && (s === subtype || s === '*')) || (t === '*' && s === '*');
    if (!matches) return false;
    const q = params.map((p) => /^q\s*=\s*([0-9.]+)$/i.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined || Number(q) > 0;
  });
}
