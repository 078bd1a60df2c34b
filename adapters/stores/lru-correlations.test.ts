import { createLruCorrelations } from './lru-correlations';
import type { SentToXmpp } from '../../plugin/use-cases/ports';

const entry = (id: string): SentToXmpp => ({
  stanzaId: id,
  content: 'message',
  xmppFrom: 'alice@sip.example',
  xmppTo: 'romeo@xmpp.example',
  sipSender: { uri: 'sip:alice@sip.example' },
});

describe('lru correlation window', () => {
  it('returns a remembered entry once, then forgets it (an error is answered once)', () => {
    const c = createLruCorrelations();
    c.rememberSentToXmpp('m1', entry('m1'));
    expect(c.takeSentToXmpp('m1')?.stanzaId).toBe('m1');
    expect(c.takeSentToXmpp('m1')).toBeUndefined();
  });

  it('forgets the oldest entries beyond its bound, so a silent partner cannot grow it', () => {
    const c = createLruCorrelations({ max: 3, ttlMs: 60000 });
    for (let i = 0; i < 5; i++) c.rememberSentToXmpp(`m${i}`, entry(`m${i}`));
    expect(c.size().toXmpp).toBe(3);
    expect(c.takeSentToXmpp('m0')).toBeUndefined();
    expect(c.takeSentToXmpp('m4')?.stanzaId).toBe('m4');
  });

  it('forgets entries older than the window', () => {
    let t = 1000;
    const c = createLruCorrelations({ max: 10, ttlMs: 1000, now: () => t });
    c.rememberSentToXmpp('m1', entry('m1'));
    c.rememberSentToXmpp('m2', entry('m2'));
    t += 500;
    expect(c.takeSentToXmpp('m2')?.stanzaId).toBe('m2');
    t += 1000;
    expect(c.takeSentToXmpp('m1')).toBeUndefined();
  });
});
