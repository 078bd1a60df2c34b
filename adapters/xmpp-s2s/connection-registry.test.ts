import { ConnectionRegistry } from './connection-registry';

const condition = (e: { condition: string } | undefined) => e?.condition;

describe('ConnectionRegistry: global and per-partner limits (Lync connection limit, partner ConnectionLimit)', () => {
  it('counts an outbound connection globally and for its remote from the start, refusing beyond either limit', () => {
    const r = new ConnectionRegistry(3);
    expect(r.admit('peer.test', 2)).toBeUndefined();
    expect(r.admit('peer.test', 2)).toBeUndefined();
    expect(condition(r.admit('peer.test', 2))).toBe('policy-violation');
    expect(r.admit('other.test', 2)).toBeUndefined();
    expect(condition(r.admit('third.test', 2))).toBe('resource-constraint'); // RFC 6120 §4.9.3.17
    expect([r.count, r.countFor('peer.test'), r.countFor('other.test')]).toEqual([3, 2, 1]);
  });

  it('counts an accepted inbound connection against the global limit only while it has not authenticated (RFC 6120 §13.7)', () => {
    const r = new ConnectionRegistry(3);
    expect(r.admitPending()).toBeUndefined();
    expect(r.admitPending()).toBeUndefined();
    expect([r.count, r.pending, r.countFor('peer.test')]).toEqual([2, 2, 0]);
    // Pending connections do not use up a partner's slots: our outbound one still opens.
    expect(r.admit('peer.test', 1)).toBeUndefined();
    expect(condition(r.admitPending())).toBe('resource-constraint');
  });

  it('charges a pending connection to its partner when it authenticates, and refuses it at the partner limit (it stays pending)', () => {
    const r = new ConnectionRegistry(10);
    r.admitPending();
    r.admitPending();
    expect(r.promote('peer.test', 1)).toBeUndefined();
    expect(condition(r.promote('peer.test', 1))).toBe('policy-violation');
    expect([r.count, r.pending, r.countFor('peer.test')]).toEqual([2, 1, 1]);
  });

  it.each([
    ['a pending connection', (r: ConnectionRegistry) => r.releasePending(), [1, 0, 1]],
    ['a promoted connection', (r: ConnectionRegistry) => r.release('peer.test'), [1, 1, 0]],
  ])('frees exactly the counters of %s when it closes', (_n, close, expected) => {
    const r = new ConnectionRegistry(10);
    r.admitPending();
    r.admitPending();
    r.promote('peer.test', 5);
    close(r);
    expect([r.count, r.pending, r.countFor('peer.test')]).toEqual(expected);
  });

  it('never goes below zero on a release without an admission', () => {
    const r = new ConnectionRegistry(10);
    r.releasePending();
    r.release('peer.test');
    expect([r.count, r.pending]).toEqual([0, 0]);
    expect(condition(r.promote('peer.test', 5))).toBe('internal-server-error');
  });
});
