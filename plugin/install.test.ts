import { installGateway, type PresenceWiring } from './install';
import { testDeps } from './use-cases/__tests__/fakes';

type Fn = (req: unknown, res: unknown) => void;
function fakeSrf() {
  const routes = new Map<string, Fn>();
  return { routes, srf: { use: (method: string, fns: Fn[]) => routes.set(method, fns[0] as Fn) } };
}
const req = (dialogId: string) => ({ uri: 'sip:alice@gw', stackDialogId: dialogId, get: (h: string) => ({ 'call-id': 'c1', event: 'presence' } as Record<string, string>)[h.toLowerCase()] });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('installGateway: what srf routes the gateway asks drachtio for', () => {
  it('routes only MESSAGE while presence is not wired (a SUBSCRIBE then gets drachtio\'s own 503, Q12)', () => {
    const { routes, srf } = fakeSrf();
    installGateway(srf, { ...testDeps(), chatStates: new Map() });
    expect([...routes.keys()]).toEqual(['message']);
  });

  it('routes SUBSCRIBE and NOTIFY to the presence handlers, with drachtio\'s dialog id, when presence is wired (RFC 8048 §5)', async () => {
    const { routes, srf } = fakeSrf();
    const onSubscribe = jest.fn(async () => ({ status: 489, reason: 'Bad Event' }));
    const onNotify = jest.fn(async () => ({ status: 481, reason: 'Subscription Does Not Exist' }));
    const presence = { handlers: { onSubscribe, onNotify }, onPresence: jest.fn() } as unknown as PresenceWiring;
    installGateway(srf, { ...testDeps(), chatStates: new Map() }, presence);
    expect([...routes.keys()]).toEqual(['message', 'subscribe', 'notify']);
    const sent: unknown[] = [];
    const res = { send: (...a: unknown[]) => sent.push(a.slice(0, 2)) };
    routes.get('subscribe')?.(req(''), res);
    routes.get('notify')?.(req('c1;from-tag=t'), res);
    await tick();
    expect(onSubscribe).toHaveBeenCalledWith(expect.objectContaining({ callId: 'c1', event: 'presence' }));
    expect(onNotify).toHaveBeenCalledWith(expect.objectContaining({ dialogId: 'c1;from-tag=t' }));
    expect(sent).toEqual([[489, 'Bad Event'], [481, 'Subscription Does Not Exist']]);
  });
});
