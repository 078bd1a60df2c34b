/**
 * The PresenceStore contract (plugin/use-cases/presence-ports.ts), one suite
 * for every implementation: adapters/stores/sqlite-presence-store.test.ts runs
 * it against SQLite files, integration-tests/stores/redis-presence-store.itest.ts
 * against a real redis-server. Not a test file itself (no .test suffix).
 */
import type { InterestRecord, PresenceStore, SubscriptionRecord, WatcherRecord } from '../../plugin/use-cases/presence-ports';

/** One store's state in a test: handles on it are opened, closed and reopened through this. */
export interface ContractState {
  /** A handle (a "gateway node's" connection) on this state; several may be open at once. */
  open(): Promise<PresenceStore>;
}

export interface ContractBackend {
  readonly name: string;
  /** A new, empty state, not shared with any other test. */
  fresh(): Promise<ContractState>;
}

// Epoch milliseconds of 2026 (13 digits): numbers the Clock port really gives.
const T0 = 1_796_000_000_000;

const watcher = (n: number, over: Partial<WatcherRecord> = {}): WatcherRecord => ({
  dialogId: `c${n}-8f2a@192.0.2.10;from-tag=tag${n}`,
  watcherUri: `sip:alice${n}@example.com`,
  watcherJid: `alice${n}@example.com`,
  contactJid: 'romeo@montague.example',
  entity: 'pres:romeo@montague.example',
  state: { phase: 'active' },
  expiresAt: T0 + 3_600_000 + n,
  owner: 'node-a',
  ...over,
});

const subscription = (n: number, over: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  xmppUser: `juliet${n}@capulet.example`,
  sipContact: 'bob@example.com',
  sipUri: 'sip:bob@example.com',
  dialogId: `s${n}-77@gw;from-tag=g${n}`,
  state: { mode: 'subscribe', authorized: true, userAvailable: false },
  expiresAt: T0 + 3_600_000,
  refreshAt: T0 + 1_800_000 + n,
  owner: 'node-a',
  ...over,
});

const dialogs = (rs: readonly WatcherRecord[]) => rs.map((r) => r.dialogId).sort();
const pairs = (rs: readonly SubscriptionRecord[]) => rs.map((r) => `${r.xmppUser} ${r.sipContact}`).sort();

export function describePresenceStoreContract(backends: readonly ContractBackend[]): void {
  describe.each(backends)('PresenceStore contract: $name', (backend) => {
    let state: ContractState;
    const handles: PresenceStore[] = [];
    const open = async (): Promise<PresenceStore> => {
      const h = await state.open();
      handles.push(h);
      return h;
    };
    let store: PresenceStore;

    beforeEach(async () => {
      state = await backend.fresh();
      store = await open();
    });
    afterEach(async () => {
      for (const h of handles.splice(0)) await h.close().catch(() => undefined);
    });

    describe('watcher records (RFC 8048 §5.3: the gateway as notifier)', () => {
      it('reads back every field of a stored watcher, and nothing else', async () => {
        const w = watcher(1);
        await store.putWatcher(w);
        const got = await store.getWatcher(w.dialogId);
        expect(got).toStrictEqual(w);
        expect(got && Object.keys(got).sort()).toEqual(Object.keys(w).sort());
      });

      it('keeps every phase, and state fields it does not know, through a round trip', async () => {
        const phases = ['pending', 'active', 'fetching'] as const;
        for (const [i, phase] of phases.entries()) await store.putWatcher(watcher(i, { state: { phase } }));
        for (const [i, phase] of phases.entries()) expect((await store.getWatcher(watcher(i).dialogId))?.state).toStrictEqual({ phase });
        const extended = { phase: 'active', since: 7 } as unknown as WatcherRecord['state'];
        await store.putWatcher(watcher(9, { state: extended }));
        expect((await store.getWatcher(watcher(9).dialogId))?.state).toStrictEqual(extended);
      });

      it('keeps addresses with separators, Unicode and long values exactly', async () => {
        const w = watcher(1, {
          dialogId: `a|b:c;from-tag=x${'y'.repeat(300)}`,
          watcherUri: 'sip:%C3%A9l%C3%A8ve@example.com',
          watcherJid: 'élève|x@example.com',
          contactJid: 'r:o|m\\20eo@montague.example',
          entity: 'pres:r:o|m\\20eo@montague.example',
        });
        await store.putWatcher(w);
        expect(await store.getWatcher(w.dialogId)).toStrictEqual(w);
        expect(await store.watchersOf(w.contactJid, 10)).toStrictEqual([w]);
        expect(await store.watcherFor(w.watcherJid, w.contactJid)).toStrictEqual(w);
      });

      it('answers undefined for an unknown dialog, and deleting one is harmless', async () => {
        expect(await store.getWatcher('nope;from-tag=1')).toBeUndefined();
        await expect(store.deleteWatcher('nope;from-tag=1')).resolves.toBeUndefined();
      });

      it('replaces a watcher on put, and delete removes it from every query', async () => {
        const w = watcher(1);
        await store.putWatcher(w);
        await store.putWatcher({ ...w, state: { phase: 'pending' } });
        expect((await store.getWatcher(w.dialogId))?.state).toEqual({ phase: 'pending' });
        await store.deleteWatcher(w.dialogId);
        expect(await store.getWatcher(w.dialogId)).toBeUndefined();
        expect(await store.watchersOf(w.contactJid, 10)).toEqual([]);
        expect(await store.watcherFor(w.watcherJid, w.contactJid)).toBeUndefined();
        expect(await store.expiredWatchers(w.owner, w.expiresAt + 1, 10)).toEqual([]);
        expect(await store.ownedWatchers(w.owner, 0, 10)).toEqual([]);
      });

      it('watchersOf lists the watchers of that contact only, at most `limit`', async () => {
        for (let i = 0; i < 5; i++) await store.putWatcher(watcher(i));
        await store.putWatcher(watcher(9, { contactJid: 'mercutio@montague.example' }));
        expect(dialogs(await store.watchersOf('romeo@montague.example', 100))).toEqual(dialogs([0, 1, 2, 3, 4].map((i) => watcher(i))));
        expect(await store.watchersOf('romeo@montague.example', 3)).toHaveLength(3);
        expect(await store.watchersOf('romeo@montague.example', 0)).toEqual([]);
        expect(await store.watchersOf('nobody@montague.example', 10)).toEqual([]);
      });

      it('watcherFor finds the pair, keeps pairs with separators apart, and follows a new dialog', async () => {
        const a = watcher(1, { watcherJid: 'a|b@example.com', contactJid: 'c@x.example' });
        const b = watcher(2, { watcherJid: 'a@example.com', contactJid: 'b|c@x.example' });
        await store.putWatcher(a);
        await store.putWatcher(b);
        expect(await store.watcherFor('a|b@example.com', 'c@x.example')).toStrictEqual(a);
        expect(await store.watcherFor('a@example.com', 'b|c@x.example')).toStrictEqual(b);
        expect(await store.watcherFor('a@example.com', 'c@x.example')).toBeUndefined();
        // The watcher re-subscribes in a new dialog; the old one is deleted afterwards.
        const renewed = watcher(3, { watcherJid: a.watcherJid, contactJid: a.contactJid, expiresAt: a.expiresAt + 60_000 });
        await store.putWatcher(renewed);
        expect([a, renewed]).toContainEqual(await store.watcherFor(a.watcherJid, a.contactJid));
        await store.deleteWatcher(a.dialogId);
        expect(await store.watcherFor(a.watcherJid, a.contactJid)).toStrictEqual(renewed);
      });

      it('watchersFor lists every dialog of that pair only (RFC 8048 §8.2: the addressed subscriber), longest-lived first, at most `limit`', async () => {
        const pair = { watcherJid: 'alice@example.com', contactJid: 'romeo@montague.example' };
        const phone = watcher(1, { ...pair, expiresAt: T0 + 100 });
        const desk = watcher(2, { ...pair, expiresAt: T0 + 900 });
        await store.putWatcher(phone);
        await store.putWatcher(desk);
        await store.putWatcher(watcher(3, { watcherJid: 'bob@example.com', contactJid: pair.contactJid }));
        await store.putWatcher(watcher(4, { watcherJid: pair.watcherJid, contactJid: 'juliet@capulet.example' }));
        expect(await store.watchersFor(pair.watcherJid, pair.contactJid, 10)).toStrictEqual([desk, phone]);
        expect(await store.watchersFor(pair.watcherJid, pair.contactJid, 1)).toStrictEqual([desk]);
        expect(await store.watchersFor(pair.watcherJid, pair.contactJid, 0)).toEqual([]);
        await store.deleteWatcher(desk.dialogId);
        expect(await store.watchersFor(pair.watcherJid, pair.contactJid, 10)).toStrictEqual([phone]);
      });

      it('expiredWatchers returns the owner\'s watchers with expiresAt <= now, at most `limit`', async () => {
        await store.putWatcher(watcher(1, { expiresAt: T0 + 10 }));
        await store.putWatcher(watcher(2, { expiresAt: T0 + 20 }));
        await store.putWatcher(watcher(3, { expiresAt: T0 + 30 }));
        await store.putWatcher(watcher(4, { expiresAt: T0 + 5, owner: 'node-b' }));
        expect(await store.expiredWatchers('node-a', T0 + 9, 10)).toEqual([]);
        expect(dialogs(await store.expiredWatchers('node-a', T0 + 20, 10))).toEqual(dialogs([watcher(1), watcher(2)]));
        expect(await store.expiredWatchers('node-a', T0 + 30, 2)).toHaveLength(2);
        expect(dialogs(await store.expiredWatchers('node-b', T0 + 30, 10))).toEqual([watcher(4).dialogId]);
      });

      it('a watcher whose expiry moved is found only under the new expiry', async () => {
        const w = watcher(1, { expiresAt: T0 + 10 });
        await store.putWatcher(w);
        await store.putWatcher({ ...w, expiresAt: T0 + 1_000 });
        expect(await store.expiredWatchers('node-a', T0 + 500, 10)).toEqual([]);
        expect(await store.expiredWatchers('node-a', T0 + 1_000, 10)).toStrictEqual([{ ...w, expiresAt: T0 + 1_000 }]);
      });

      it('an old index entry of a rewritten watcher never takes a place within `limit`', async () => {
        const a = watcher(1, { expiresAt: T0 + 10 });
        await store.putWatcher(a);
        await store.putWatcher(watcher(2, { expiresAt: T0 + 500 }));
        await store.putWatcher({ ...a, expiresAt: T0 + 1_000 });
        expect(dialogs(await store.expiredWatchers('node-a', T0 + 1_000, 2))).toEqual(dialogs([a, watcher(2)]));
      });

      it('a watcher whose contact or owner changed is found only under the new one', async () => {
        const w = watcher(1, { expiresAt: T0 });
        await store.putWatcher(w);
        const moved = { ...w, contactJid: 'tybalt@capulet.example', owner: 'node-b' };
        await store.putWatcher(moved);
        expect(await store.watchersOf(w.contactJid, 10)).toEqual([]);
        expect(await store.watchersOf('tybalt@capulet.example', 10)).toStrictEqual([moved]);
        expect(await store.watcherFor(w.watcherJid, w.contactJid)).toBeUndefined();
        expect(await store.watcherFor(w.watcherJid, 'tybalt@capulet.example')).toStrictEqual(moved);
        expect(await store.expiredWatchers('node-a', T0, 10)).toEqual([]);
        expect(await store.ownedWatchers('node-a', 0, 10)).toEqual([]);
        expect(await store.expiredWatchers('node-b', T0, 10)).toStrictEqual([moved]);
        expect(await store.ownedWatchers('node-b', 0, 10)).toStrictEqual([moved]);
      });
    });

    describe('subscription records (RFC 8048 §5.2: the gateway as subscriber)', () => {
      it.each([
        ['with a dialog and a refresh', subscription(1)],
        ['before drachtio named the dialog, nothing scheduled', { ...subscription(1), dialogId: undefined, refreshAt: undefined }],
      ])('reads back every field of a subscription %s, and nothing else', async (_label, given) => {
        const r = JSON.parse(JSON.stringify(given)) as SubscriptionRecord; // drops the undefined keys
        await store.putSubscription(given);
        const got = await store.getSubscription(r.xmppUser, r.sipContact);
        expect(got).toStrictEqual(r);
        expect(got && Object.keys(got).sort()).toEqual(Object.keys(r).sort());
      });

      it('keeps every mode and flag of the state through a round trip', async () => {
        const states = [
          { mode: 'subscribe', authorized: false, userAvailable: true },
          { mode: 'unsubscribe', authorized: true, userAvailable: false },
          { mode: 'probe', authorized: false, userAvailable: false },
        ] as const;
        for (const [i, s] of states.entries()) await store.putSubscription(subscription(i, { state: s }));
        for (const [i, s] of states.entries()) {
          expect((await store.getSubscription(subscription(i).xmppUser, 'bob@example.com'))?.state).toStrictEqual(s);
        }
      });

      it('is keyed by (XMPP user, SIP contact): a second put replaces, another pair is separate', async () => {
        await store.putSubscription(subscription(1));
        await store.putSubscription(subscription(1, { sipContact: 'carol@example.com', sipUri: 'sip:carol@example.com', dialogId: 'other;from-tag=1' }));
        await store.putSubscription(subscription(1, { expiresAt: T0 + 99 }));
        expect((await store.getSubscription('juliet1@capulet.example', 'bob@example.com'))?.expiresAt).toBe(T0 + 99);
        expect((await store.getSubscription('juliet1@capulet.example', 'carol@example.com'))?.sipUri).toBe('sip:carol@example.com');
        expect(await store.getSubscription('juliet1@capulet.example', 'dave@example.com')).toBeUndefined();
      });

      it('a subscription whose dialog changed is found only by the new dialog id', async () => {
        const s = subscription(1);
        await store.putSubscription(s);
        expect(await store.subscriptionByDialog(s.dialogId ?? '')).toStrictEqual(s);
        const next = { ...s, dialogId: 'renewed;from-tag=2' };
        await store.putSubscription(next);
        expect(await store.subscriptionByDialog(s.dialogId ?? '')).toBeUndefined();
        expect(await store.subscriptionByDialog('renewed;from-tag=2')).toStrictEqual(next);
        const { dialogId: _gone, ...withoutDialog } = next;
        await store.putSubscription(withoutDialog);
        expect(await store.subscriptionByDialog('renewed;from-tag=2')).toBeUndefined();
      });

      it('delete removes a subscription from every query, and deleting an unknown pair is harmless', async () => {
        const s = subscription(1);
        await store.putSubscription(s);
        await store.deleteSubscription(s.xmppUser, s.sipContact);
        await expect(store.deleteSubscription(s.xmppUser, s.sipContact)).resolves.toBeUndefined();
        expect(await store.getSubscription(s.xmppUser, s.sipContact)).toBeUndefined();
        expect(await store.subscriptionByDialog(s.dialogId ?? '')).toBeUndefined();
        expect(await store.dueSubscriptions('node-a', T0 + 10_000_000, 10)).toEqual([]);
        expect(await store.subscriptionsOf(s.sipContact, 10)).toEqual([]);
        expect(await store.ownedSubscriptions('node-a', 0, 10)).toEqual([]);
      });

      it('dueSubscriptions returns the owner\'s refreshAt <= now, earliest first, at most `limit`', async () => {
        await store.putSubscription(subscription(1, { refreshAt: T0 + 30 }));
        await store.putSubscription(subscription(2, { refreshAt: T0 + 10 }));
        await store.putSubscription(subscription(3, { refreshAt: T0 + 20 }));
        await store.putSubscription(subscription(4, { refreshAt: undefined }));
        await store.putSubscription(subscription(5, { refreshAt: T0, owner: 'node-b' }));
        expect(await store.dueSubscriptions('node-a', T0 + 9, 10)).toEqual([]);
        expect((await store.dueSubscriptions('node-a', T0 + 30, 10)).map((s) => s.xmppUser)).toEqual([
          'juliet2@capulet.example',
          'juliet3@capulet.example',
          'juliet1@capulet.example',
        ]);
        expect((await store.dueSubscriptions('node-a', T0 + 30, 2)).map((s) => s.xmppUser)).toEqual(['juliet2@capulet.example', 'juliet3@capulet.example']);
        expect((await store.dueSubscriptions('node-b', T0 + 30, 10)).map((s) => s.xmppUser)).toEqual(['juliet5@capulet.example']);
      });

      it('a subscription whose refresh moved or was cancelled is due only as now scheduled', async () => {
        const s = subscription(1, { refreshAt: T0 + 10 });
        await store.putSubscription(s);
        await store.putSubscription({ ...s, refreshAt: T0 + 1_000 });
        expect(await store.dueSubscriptions('node-a', T0 + 500, 10)).toEqual([]);
        expect(await store.dueSubscriptions('node-a', T0 + 1_000, 10)).toHaveLength(1);
        const { refreshAt: _none, ...unscheduled } = s;
        await store.putSubscription(unscheduled);
        expect(await store.dueSubscriptions('node-a', T0 + 10_000_000, 10)).toEqual([]);
        await store.putSubscription({ ...s, owner: 'node-b' });
        expect(await store.dueSubscriptions('node-a', T0 + 10_000_000, 10)).toEqual([]);
        expect(await store.dueSubscriptions('node-b', T0 + 10, 10)).toStrictEqual([{ ...s, owner: 'node-b' }]);
      });

      it('an old index entry of a rescheduled subscription never takes a place within `limit`', async () => {
        const a = subscription(1, { refreshAt: T0 + 10 });
        await store.putSubscription(a);
        await store.putSubscription(subscription(2, { refreshAt: T0 + 500 }));
        await store.putSubscription({ ...a, refreshAt: T0 + 1_000 });
        expect(pairs(await store.dueSubscriptions('node-a', T0 + 1_000, 2))).toEqual(pairs([a, subscription(2)]));
      });

      it('subscriptionsOf lists the subscriptions of that SIP contact only, at most `limit`', async () => {
        for (let i = 0; i < 4; i++) await store.putSubscription(subscription(i));
        await store.putSubscription(subscription(9, { sipContact: 'carol@example.com', dialogId: 'carol;from-tag=9' }));
        expect(pairs(await store.subscriptionsOf('bob@example.com', 10))).toEqual(pairs([0, 1, 2, 3].map((i) => subscription(i))));
        expect(await store.subscriptionsOf('bob@example.com', 2)).toHaveLength(2);
        expect(await store.subscriptionsOf('carol@example.com', 10)).toHaveLength(1);
        expect(await store.subscriptionsOf('dave@example.com', 10)).toEqual([]);
      });
    });

    describe('interest (Lync PublicUnverified: the local user reached out first)', () => {
      it.each<InterestRecord['kind']>(['subscribed', 'messaged'])('records that a local user %s a remote contact, one way only', async (kind) => {
        expect(await store.hasInterest('bob@example.com', 'juliet@capulet.example')).toBe(false);
        await store.recordInterest({ localUser: 'bob@example.com', remoteContact: 'juliet@capulet.example', kind, at: T0 });
        await store.recordInterest({ localUser: 'bob@example.com', remoteContact: 'juliet@capulet.example', kind, at: T0 + 1 });
        expect(await store.hasInterest('bob@example.com', 'juliet@capulet.example')).toBe(true);
        expect(await store.hasInterest('juliet@capulet.example', 'bob@example.com')).toBe(false);
        expect(await store.hasInterest('bob@example.com', 'romeo@montague.example')).toBe(false);
      });
    });

    describe('bounds', () => {
      it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses limit %p instead of running an unbounded query', async (limit) => {
        await expect(store.watchersOf('romeo@montague.example', limit)).rejects.toThrow(RangeError);
        await expect(store.dueSubscriptions('node-a', T0, limit)).rejects.toThrow(RangeError);
        await expect(store.ownedWatchers('node-a', 0, limit)).rejects.toThrow(RangeError);
        await expect(store.ownedSubscriptions('node-a', limit, 10)).rejects.toThrow(RangeError);
      });
    });

    describe('persistence', () => {
      it('keeps every record and every index across close and reopen', async () => {
        const w = watcher(1, { expiresAt: T0 });
        const s = subscription(1, { refreshAt: T0 });
        await store.putWatcher(w);
        await store.putSubscription(s);
        await store.recordInterest({ localUser: 'bob@example.com', remoteContact: 'juliet@capulet.example', kind: 'messaged', at: T0 });
        await store.heartbeat('node-a', T0 + 60_000);
        await store.close();
        const again = await open();
        expect(await again.getWatcher(w.dialogId)).toStrictEqual(w);
        expect(await again.watchersOf(w.contactJid, 10)).toStrictEqual([w]);
        expect(await again.watcherFor(w.watcherJid, w.contactJid)).toStrictEqual(w);
        expect(await again.expiredWatchers('node-a', T0, 10)).toStrictEqual([w]);
        expect(await again.getSubscription(s.xmppUser, s.sipContact)).toStrictEqual(s);
        expect(await again.subscriptionByDialog(s.dialogId ?? '')).toStrictEqual(s);
        expect(await again.dueSubscriptions('node-a', T0, 10)).toStrictEqual([s]);
        expect(await again.subscriptionsOf(s.sipContact, 10)).toStrictEqual([s]);
        expect(await again.hasInterest('bob@example.com', 'juliet@capulet.example')).toBe(true);
        // The heartbeat persisted too: node-a is still alive for another node.
        expect(await again.adoptOrphans('node-b', T0 + 30_000)).toEqual({ watchers: 0, subscriptions: 0 });
      });

      it('answers ping while open and fails once closed', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await expect(store.ping()).rejects.toThrow();
      });
    });

    describe('several nodes: liveness and adoption', () => {
      async function threeNodes() {
        const a = store;
        const [b, c] = [await open(), await open()];
        await a.heartbeat('node-a', T0 + 1_000);
        await b.heartbeat('node-b', T0 + 5_000);
        await c.heartbeat('node-c', T0 + 5_000);
        for (let i = 0; i < 3; i++) await a.putWatcher(watcher(i, { owner: 'node-a', expiresAt: T0 + 100 }));
        for (let i = 0; i < 4; i++) await a.putSubscription(subscription(i, { owner: 'node-a', refreshAt: T0 + 100 }));
        await c.putWatcher(watcher(10, { owner: 'node-c', expiresAt: T0 + 100 }));
        await c.putSubscription(subscription(10, { owner: 'node-c', refreshAt: T0 + 100 }));
        await b.putWatcher(watcher(20, { owner: 'node-b', expiresAt: T0 + 100 }));
        return { a, b, c };
      }

      it('adopts nothing while every owner is alive (liveness runs up to and including aliveUntil)', async () => {
        const { b } = await threeNodes();
        expect(await b.adoptOrphans('node-b', T0 + 1_000)).toEqual({ watchers: 0, subscriptions: 0 });
        expect(await b.ownedWatchers('node-a', 0, 10)).toHaveLength(3);
      });

      it('node B adopts exactly the records of node A, whose liveness lapsed, and none of live node C', async () => {
        const { b } = await threeNodes();
        const now = T0 + 2_000;
        expect(await b.adoptOrphans('node-b', now)).toEqual({ watchers: 3, subscriptions: 4 });
        expect(await b.ownedWatchers('node-a', 0, 10)).toEqual([]);
        expect(await b.ownedSubscriptions('node-a', 0, 10)).toEqual([]);
        expect(await b.expiredWatchers('node-a', now, 10)).toEqual([]);
        expect(await b.dueSubscriptions('node-a', now, 10)).toEqual([]);
        expect(dialogs(await b.ownedWatchers('node-b', 0, 10))).toEqual(dialogs([0, 1, 2, 20].map((i) => watcher(i))));
        expect(dialogs(await b.expiredWatchers('node-b', now, 10))).toEqual(dialogs([0, 1, 2, 20].map((i) => watcher(i))));
        expect(pairs(await b.dueSubscriptions('node-b', now, 10))).toEqual(pairs([0, 1, 2, 3].map((i) => subscription(i))));
        expect(await b.getWatcher(watcher(0).dialogId)).toStrictEqual(watcher(0, { owner: 'node-b', expiresAt: T0 + 100 }));
        expect(await b.subscriptionByDialog(subscription(0).dialogId ?? '')).toStrictEqual(subscription(0, { owner: 'node-b', refreshAt: T0 + 100 }));
        expect(await b.ownedWatchers('node-c', 0, 10)).toStrictEqual([watcher(10, { owner: 'node-c', expiresAt: T0 + 100 })]);
        expect(await b.ownedSubscriptions('node-c', 0, 10)).toStrictEqual([subscription(10, { owner: 'node-c', refreshAt: T0 + 100 })]);
        expect(await b.adoptOrphans('node-b', now)).toEqual({ watchers: 0, subscriptions: 0 });
      });

      it('two nodes adopting at once take each orphan exactly once', async () => {
        const { b, c } = await threeNodes();
        const [byB, byC] = await Promise.all([b.adoptOrphans('node-b', T0 + 2_000), c.adoptOrphans('node-c', T0 + 2_000)]);
        expect(byB.watchers + byC.watchers).toBe(3);
        expect(byB.subscriptions + byC.subscriptions).toBe(4);
        const owned = [...(await b.ownedWatchers('node-b', 0, 10)), ...(await b.ownedWatchers('node-c', 0, 10))];
        expect(dialogs(owned)).toEqual(dialogs([0, 1, 2, 10, 20].map((i) => watcher(i))));
      });

      it('records of a node that never sent a heartbeat are adopted', async () => {
        await store.heartbeat('node-b', T0 + 5_000);
        await store.putWatcher(watcher(1, { owner: 'node-x' }));
        await store.putSubscription(subscription(1, { owner: 'node-x' }));
        expect(await store.adoptOrphans('node-b', T0)).toEqual({ watchers: 1, subscriptions: 1 });
        expect((await store.getWatcher(watcher(1).dialogId))?.owner).toBe('node-b');
      });

      it('node B takes over node A\'s subscription and watcher only once A stopped and its liveness lapsed; A back under its id gets none back', async () => {
        // Two gateway nodes on one store, each with its own connection, as bin/start-presence.ts runs them:
        // every sweep a node heartbeats `aliveUntil = now + liveness` and looks for orphans.
        const LIVENESS = 30_000;
        const SWEEP = 5_000;
        const a = store;
        const b = await open();
        const s = subscription(1, { owner: 'node-a', refreshAt: T0 + 120_000 });
        const w = watcher(1, { owner: 'node-a', expiresAt: T0 + 150_000 });
        await a.putSubscription(s);
        await a.putWatcher(w);
        let now = T0;
        for (let i = 0; i < 6; i++, now += SWEEP) {
          await a.heartbeat('node-a', now + LIVENESS);
          await b.heartbeat('node-b', now + LIVENESS);
          expect(await b.adoptOrphans('node-b', now)).toEqual({ watchers: 0, subscriptions: 0 });
        }
        const aliveUntil = now - SWEEP + LIVENESS; // what node A's last heartbeat promised
        await a.close(); // node A stops: no more heartbeats
        let adoptedAt: number | undefined;
        for (let i = 0; i < 20 && adoptedAt === undefined; i++, now += SWEEP) {
          await b.heartbeat('node-b', now + LIVENESS);
          const got = await b.adoptOrphans('node-b', now);
          if (got.watchers + got.subscriptions > 0) {
            expect(got).toEqual({ watchers: 1, subscriptions: 1 });
            adoptedAt = now;
          }
        }
        // Not before A's liveness ran out, and at B's first sweep after it.
        expect(adoptedAt).toBeGreaterThan(aliveUntil);
        expect(adoptedAt).toBeLessThanOrEqual(aliveUntil + SWEEP);
        // B now refreshes the subscription, answers its NOTIFYs and expires the watcher.
        const takenS = { ...s, owner: 'node-b' };
        const takenW = { ...w, owner: 'node-b' };
        expect(await b.dueSubscriptions('node-b', s.refreshAt ?? 0, 10)).toStrictEqual([takenS]);
        expect(await b.subscriptionByDialog(s.dialogId ?? '')).toStrictEqual(takenS);
        expect(await b.getWatcher(w.dialogId)).toStrictEqual(takenW);
        expect(await b.expiredWatchers('node-b', w.expiresAt, 10)).toStrictEqual([takenW]);
        const refreshed = { ...takenS, refreshAt: (s.refreshAt ?? 0) + 1_800_000, expiresAt: s.expiresAt + 3_600_000 };
        await b.putSubscription(refreshed);
        // Node A restarts under the same id: alive again, it takes nothing back and owns nothing.
        const a2 = await open();
        await a2.heartbeat('node-a', now + LIVENESS);
        expect(await a2.adoptOrphans('node-a', now)).toEqual({ watchers: 0, subscriptions: 0 });
        expect(await a2.ownedSubscriptions('node-a', 0, 10)).toEqual([]);
        expect(await a2.ownedWatchers('node-a', 0, 10)).toEqual([]);
        expect(await a2.dueSubscriptions('node-a', refreshed.refreshAt, 10)).toEqual([]);
        expect(await a2.expiredWatchers('node-a', w.expiresAt, 10)).toEqual([]);
        // And B, alive, keeps them against A's sweeps.
        expect(await a2.adoptOrphans('node-a', now + SWEEP)).toEqual({ watchers: 0, subscriptions: 0 });
        expect(await a2.getSubscription(s.xmppUser, s.sipContact)).toStrictEqual(refreshed);
      });

      it('a restarted node keeps its own records (they are not counted as adopted)', async () => {
        await store.putWatcher(watcher(1, { owner: 'node-a' }));
        await store.heartbeat('node-a', T0 - 1); // lapsed while the node was down
        expect(await store.adoptOrphans('node-a', T0)).toEqual({ watchers: 0, subscriptions: 0 });
        expect(await store.ownedWatchers('node-a', 0, 10)).toHaveLength(1);
      });
    });

    describe('restart recovery paging', () => {
      it('ownedWatchers pages through every watcher of the node exactly once, and only those', async () => {
        for (let i = 0; i < 25; i++) await store.putWatcher(watcher(i, { expiresAt: T0 + ((i * 7) % 25) }));
        await store.putWatcher(watcher(99, { owner: 'node-b' }));
        const pages: WatcherRecord[][] = [];
        for (let offset = 0; offset <= 30; offset += 10) pages.push(await store.ownedWatchers('node-a', offset, 10));
        expect(pages.map((p) => p.length)).toEqual([10, 10, 5, 0]);
        expect(dialogs(pages.flat())).toEqual(dialogs(Array.from({ length: 25 }, (_, i) => watcher(i, { expiresAt: 0 }))));
        expect(await store.ownedWatchers('node-a', 0, 0)).toEqual([]);
      });

      it('ownedWatchers pages stay put while the records on them are rewritten', async () => {
        for (let i = 0; i < 20; i++) await store.putWatcher(watcher(i));
        const first = await store.ownedWatchers('node-a', 0, 10);
        // Resuming a record rewrites it (new state and expiry); the next page must not shift.
        for (const [k, w] of first.entries()) await store.putWatcher({ ...w, expiresAt: T0 + 9_000_000 - k, state: { phase: 'pending' } });
        const second = await store.ownedWatchers('node-a', 10, 10);
        expect(dialogs([...first, ...second])).toEqual(dialogs(Array.from({ length: 20 }, (_, i) => watcher(i))));
      });

      it('ownedSubscriptions pages through every subscription of the node exactly once, and only those', async () => {
        for (let i = 0; i < 23; i++) {
          await store.putSubscription(subscription(i, i % 3 === 0 ? { refreshAt: undefined, dialogId: undefined } : { dialogId: `d${i};from-tag=1` }));
        }
        await store.putSubscription(subscription(99, { owner: 'node-b' }));
        const pages: SubscriptionRecord[][] = [];
        for (let offset = 0; offset <= 30; offset += 10) pages.push(await store.ownedSubscriptions('node-a', offset, 10));
        expect(pages.map((p) => p.length)).toEqual([10, 10, 3, 0]);
        expect(pairs(pages.flat())).toEqual(pairs(Array.from({ length: 23 }, (_, i) => subscription(i))));
      });
    });
  });
}
