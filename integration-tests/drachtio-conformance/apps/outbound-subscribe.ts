/**
 * Port of app_outbound_subscribe.js (golden traces S4): the app subscribes to
 * bob's presence with srf.createUAC({method:'SUBSCRIBE'}), answers every NOTIFY
 * 200, refreshes after 1.5 s and unsubscribes (Expires: 0) 1.5 s later
 * (RFC 6665 §4.1.2). MODE 'cb' uses the callback form (3rd argument an object,
 * Q3); MODE 'promise' awaits the dialog and misses a NOTIFY that arrives in the
 * same TCP read as the 200 (Q2).
 */
import type Srf from 'drachtio-srf';
import { deferred, loose, type LooseDialog, type RequestOpts } from './srf-loose';
import type { RequestMode } from './outbound-message';

export interface OutboundSubscribe {
  readonly dialog: Promise<LooseDialog>;
  /** Subscription-State of every NOTIFY the app's handler saw */
  readonly notifies: string[];
  /** "<Expires> <status>" for the refresh and the unsubscribe */
  readonly subscribeAnswers: string[];
  /** settles 1.5 s after the unsubscribe was answered, like the captured app */
  readonly done: Promise<{ connected: boolean }>;
}

const STEP_MS = 1500;

export function startOutboundSubscribe(srf: Srf, target: string, mode: RequestMode): OutboundSubscribe {
  const opts: RequestOpts = {
    method: 'SUBSCRIBE',
    headers: { From: '<sip:romeo@xmpp-gw.test>', To: `<${target}>`, Event: 'presence', Accept: 'application/pidf+xml', Expires: '3600' },
  };
  const dialogP = deferred<LooseDialog>();
  const done = deferred<{ connected: boolean }>();
  const notifies: string[] = [];
  const subscribeAnswers: string[] = [];

  const onDialog = (dialog: LooseDialog) => {
    dialogP.resolve(dialog);
    dialog.on('notify', (req, res) => {
      notifies.push(req.get('Subscription-State'));
      res.send(200);
    });
    const sub = (expires: number, next: () => void) => dialog.request({
      method: 'SUBSCRIBE', headers: { Event: 'presence', Accept: 'application/pidf+xml', Expires: String(expires) },
    }, (err, res) => {
      subscribeAnswers.push(err ? `${expires} error ${err.message}` : `${expires} ${res.status}`);
      next();
    });
    setTimeout(() => sub(3600, () => setTimeout(() => sub(0, () => {
      setTimeout(() => done.resolve({ connected: dialog.connected }), STEP_MS);
    }), STEP_MS)), STEP_MS);
  };
  const fail = (e: Error) => { dialogP.reject(e); done.reject(e); };
  if (mode === 'promise') {
    loose(srf).createUAC(target, opts).then(onDialog, fail);
  } else {
    loose(srf).createUAC(target, opts, {}, (err, dialog) => (err ? fail(err) : onDialog(dialog)));
  }
  return { dialog: dialogP.promise, notifies, subscribeAnswers, done: done.promise };
}
