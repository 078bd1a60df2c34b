/**
 * Pieces of SIP header syntax the double needs: name-addr with tag (RFC 3261 §20.20/§20.39),
 * SIP URIs (§19.1.1), Via (§20.42) and CSeq (§20.16).
 */
export interface SipUri {
  readonly scheme: string;
  readonly user: string | undefined;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: ReadonlyMap<string, string>;
}

/** Parses `sip:user@host:port;a=b?headers`. Returns undefined when it is not a SIP URI. */
export function parseSipUri(text: string): SipUri | undefined {
  const m = /^(sips?):(?:([^@]*)@)?(\[[^\]]+\]|[^:;?>]+)(?::([0-9]+))?([^?]*)/i.exec(text.trim());
  if (!m) return undefined;
  const params = new Map<string, string>();
  for (const p of (m[5] ?? '').split(';').slice(1)) {
    const eq = p.indexOf('=');
    params.set((eq === -1 ? p : p.slice(0, eq)).toLowerCase(), eq === -1 ? '' : p.slice(eq + 1));
  }
  return {
    scheme: (m[1] ?? 'sip').toLowerCase(),
    user: m[2],
    host: m[3] ?? '',
    port: m[4] === undefined ? undefined : Number(m[4]),
    params,
  };
}

export interface NameAddr {
  /** The `"display" <uri>` or bare-URI part, without header parameters. */
  readonly addr: string;
  readonly uri: string;
  /** Header parameters after the address, each `;name[=value]`. */
  readonly params: readonly string[];
}

export function parseNameAddr(value: string): NameAddr {
  const v = value.trim();
  const lt = v.indexOf('<');
  const gt = lt === -1 ? -1 : v.indexOf('>', lt);
  if (lt !== -1 && gt !== -1) {
    const rest = v.slice(gt + 1);
    return { addr: v.slice(0, gt + 1).trim(), uri: v.slice(lt + 1, gt), params: splitParams(rest) };
  }
  // addr-spec form: URI parameters and header parameters cannot be told apart; RFC 3261
  // §20.10 says the parameters belong to the header.
  const semi = v.indexOf(';');
  const uri = semi === -1 ? v : v.slice(0, semi);
  return { addr: uri, uri, params: semi === -1 ? [] : splitParams(v.slice(semi)) };
}

function splitParams(rest: string): string[] {
  return rest.split(';').map((p) => p.trim()).filter((p) => p !== '');
}

export function paramOf(params: readonly string[], name: string): string | undefined {
  for (const p of params) {
    const eq = p.indexOf('=');
    const key = (eq === -1 ? p : p.slice(0, eq)).toLowerCase();
    if (key === name) return eq === -1 ? '' : p.slice(eq + 1);
  }
  return undefined;
}

export function tagOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : paramOf(parseNameAddr(value).params, 'tag');
}

/** Re-encodes a From/To value the way sofia prints it, adding `;tag=` if asked. */
export function formatNameAddr(na: NameAddr, addTag?: string): string {
  const params = addTag !== undefined && paramOf(na.params, 'tag') === undefined ? [...na.params, `tag=${addTag}`] : na.params;
  const addr = na.addr.startsWith('<') || na.addr.includes('<') ? na.addr : `<${na.addr}>`;
  return [addr, ...params].join(';');
}

/** The value without its tag parameter (dialog local/remote URI, RFC 3261 §12.1). */
export function withoutTag(value: string): string {
  const na = parseNameAddr(value);
  return formatNameAddr({ ...na, params: na.params.filter((p) => !/^tag=/i.test(p)) });
}

export interface Via {
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: readonly string[];
}

export function parseVia(value: string): Via | undefined {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^:;\s]+)(?::([0-9]+))?\s*(.*)$/i.exec(value.trim());
  if (!m) return undefined;
  return {
    transport: (m[1] ?? '').toUpperCase(),
    host: m[2] ?? '',
    port: m[3] === undefined ? undefined : Number(m[3]),
    params: splitParams(m[4] ?? ''),
  };
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export function parseCSeq(value: string | undefined): CSeq | undefined {
  const m = /^([0-9]+)\s+([A-Za-z]+)$/.exec((value ?? '').trim());
  return m ? { seq: Number(m[1]), method: (m[2] ?? '').toUpperCase() } : undefined;
}
