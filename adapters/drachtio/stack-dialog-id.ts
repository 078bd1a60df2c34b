/**
 * drachtio-server's dialog id, `<Call-ID>;from-tag=<From tag of the dialog-creating
 * request>` (PROTOCOL-NOTES §3.3; S4: for a SUBSCRIBE we send, the tag drachtio chose
 * for us). Computed from the echo of the request, so it is known before the 200.
 */
export function dialogIdOfSent(sent: { get(header: string): string | undefined }): string | undefined {
  const callId = sent.get('Call-ID')?.trim();
  const tag = fromTagOf(sent.get('From'));
  return callId && tag ? `${callId};from-tag=${tag}` : undefined;
}

/**
 * The `tag` header parameter of a From/To value (RFC 3261 §19.3, §25.1 from-param):
 * after the `>` of a name-addr; in an addr-spec every `;param` belongs to the header.
 */
export function fromTagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const close = value.lastIndexOf('>');
  const params = close === -1 ? value : value.slice(close + 1);
  return /;\s*tag\s*=\s*([^;\s,]+)/i.exec(params)?.[1];
}
