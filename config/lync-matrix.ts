import type { AuthMethod, Negotiation } from '../plugin/core/policy/federation-vocabulary';

/**
 * Lync Server 2013's table of valid TLS / SASL / dialback combinations for an
 * XMPP partner (TechNet JJ552456, "Negotiation settings for XMPP federated
 * partners"; copied in anchors.md §1.2.3). One row per combination, in the
 * document's order. Invalid rows leave no way to authenticate the peer
 * ("SASL or Dialback must be enabled"); warning rows work but Lync warns
 * (SASL needs TLS, so SASL Required with TLS not Required may fail, and
 * dialback never runs when TLS and SASL are both Required).
 */
export type NegotiationValidity = 'ok' | 'warning' | 'invalid';

export interface NegotiationRow {
  readonly tls: Negotiation;
  readonly sasl: Negotiation;
  readonly dialback: boolean;
  readonly methods: readonly AuthMethod[];
  readonly validity: NegotiationValidity;
  /** Why Lync flags the row (empty for plain OK rows). */
  readonly note: string;
}

/** The rule behind every invalid row, in words: an id alone sends the operator searching (issue #14). */
export const RULE_IN_WORDS = "Lync's rule for XMPP partners: SASL (over TLS) or dialback must be able to authenticate the partner; TechNet JJ552456";

const SASL_NEEDS_TLS = 'SASL requires TLS: with TLS not Required the partner may negotiate no SASL at all';
const NO_METHOD = 'SASL or dialback must be enabled: no authentication method remains';

const row = (
  tls: Negotiation,
  sasl: Negotiation,
  dialback: boolean,
  methods: readonly AuthMethod[],
  validity: NegotiationValidity,
  note = '',
): NegotiationRow => ({ tls, sasl, dialback, methods, validity, note });

export const LYNC_NEGOTIATION_MATRIX: readonly NegotiationRow[] = [
  row('Required', 'Required', true, ['sasl-over-tls'], 'warning', 'dialback will not operate when TLS and SASL are both Required'),
  row('Required', 'Required', false, ['sasl-over-tls'], 'ok'),
  row('Optional', 'Required', true, ['sasl-over-tls', 'tls-dialback', 'tcp-dialback'], 'warning', SASL_NEEDS_TLS),
  row('Optional', 'Required', false, ['sasl-over-tls'], 'warning', SASL_NEEDS_TLS),
  row('NotSupported', 'Required', true, ['tcp-dialback'], 'warning', SASL_NEEDS_TLS),
  row('NotSupported', 'Required', false, [], 'invalid', 'SASL Required needs TLS, and dialback is disabled'),
  row('Required', 'Optional', true, ['sasl-over-tls', 'tls-dialback'], 'ok'),
  row('Required', 'Optional', false, ['sasl-over-tls'], 'ok'),
  row('Optional', 'Optional', true, ['sasl-over-tls', 'tls-dialback', 'tcp-dialback'], 'warning', 'streams may end up unencrypted (TCP dialback) when the partner does not offer TLS'),
  row('Optional', 'Optional', false, ['sasl-over-tls'], 'warning', 'without TLS the partner cannot authenticate, because SASL needs TLS and dialback is disabled'),
  row('NotSupported', 'Optional', true, ['tcp-dialback'], 'warning', 'SASL can never run without TLS; only unencrypted TCP dialback remains'),
  row('NotSupported', 'Optional', false, [], 'invalid', 'SASL cannot run without TLS, and dialback is disabled'),
  row('Required', 'NotSupported', true, ['tls-dialback'], 'ok'),
  row('Required', 'NotSupported', false, [], 'invalid', NO_METHOD),
  row('Optional', 'NotSupported', true, ['tls-dialback', 'tcp-dialback'], 'ok'),
  row('Optional', 'NotSupported', false, [], 'invalid', NO_METHOD),
  row('NotSupported', 'NotSupported', true, ['tcp-dialback'], 'ok'),
  row('NotSupported', 'NotSupported', false, [], 'invalid', NO_METHOD),
];

export interface NegotiationCheck {
  readonly validity: NegotiationValidity;
  readonly methods: readonly AuthMethod[];
  /** One line naming the combination and the outcome. */
  readonly message: string;
}

const METHOD_LABEL: Record<AuthMethod, string> = {
  'sasl-over-tls': 'SASL over TLS',
  'tls-dialback': 'TLS dialback',
  'tcp-dialback': 'TCP dialback',
};

export function describeCombination(tls: Negotiation, sasl: Negotiation, dialback: boolean): string {
  return `tls ${tls}, sasl ${sasl}, dialback ${dialback}`;
}

/** Looks the combination up in the Lync table (every combination has exactly one row). */
export function checkNegotiation(tls: Negotiation, sasl: Negotiation, dialback: boolean): NegotiationCheck {
  const found = LYNC_NEGOTIATION_MATRIX.find((r) => r.tls === tls && r.sasl === sasl && r.dialback === dialback);
  const combination = describeCombination(tls, sasl, dialback);
  if (found === undefined) {
    // Unreachable for well-typed input; kept so a bad value never throws.
    return { validity: 'invalid', methods: [], message: `${combination}: unknown combination` };
  }
  const methods = found.methods.map((m) => METHOD_LABEL[m]).join(', ');
  const message =
    found.validity === 'invalid'
      ? `${combination} is invalid: ${found.note} (${RULE_IN_WORDS})`
      : found.validity === 'warning'
        ? `${combination} (methods: ${methods}): ${found.note}`
        : `${combination} (methods: ${methods})`;
  return { validity: found.validity, methods: found.methods, message };
}

/** True when the combination can authenticate a stream by dialback (needs the dialback secret). */
export function usesDialback(methods: readonly AuthMethod[]): boolean {
  return methods.includes('tls-dialback') || methods.includes('tcp-dialback');
}
