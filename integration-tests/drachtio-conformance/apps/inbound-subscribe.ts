/**
 * Port of app_inbound_subscribe.js (golden trace S3): a presence notifier.
 * SUBSCRIBE → srf.createUAS (202 + Expires) → NOTIFY active; in-dialog refresh →
 * 200 + NOTIFY; SUBSCRIBE Expires: 0 → srf answers 202 itself and emits
 * 'unsubscribe' → NOTIFY terminated;reason=timeout → 'destroy' (RFC 6665 §4.2.1.2).
 */
import type Srf from 'drachtio-srf';
import { connectSrf, type AdminAddress, type ConnectedSrf } from '../../harness/srf-app';
import { deferred, loose, looseRes, PIDF, type LooseDialog } from './srf-loose';

export interface InboundSubscribeApp {
  readonly conn: ConnectedSrf;
  readonly dialog: Promise<LooseDialog>;
  /** "<Subscription-State> <status>" per NOTIFY answered by the watcher */
  readonly notifyAnswers: string[];
  /** Expires of each in-dialog refresh SUBSCRIBE the app answered */
  readonly refreshes: string[];
  readonly unsubscribed: Promise<string>;
  readonly destroyed: Promise<void>;
}

const ENTITY = 'sip:alice@127.0.0.1';

export async function startInboundSubscribeApp(admin: AdminAddress): Promise<InboundSubscribeApp> {
  const dialogP = deferred<LooseDialog>();
  const unsubscribed = deferred<string>();
  const destroyed = deferred<void>();
  const notifyAnswers: string[] = [];
  const refreshes: string[] = [];
  let srf: Srf | undefined;

  const onSubscribe = (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
    if (!srf) return;
    loose(srf).createUAS(req, res, { headers: { Expires: req.get('Expires') || '3600' } }).then((dialog) => {
      dialogP.resolve(dialog);
      const notify = (state: string, basic: string, note: string) => dialog.request({
        method: 'NOTIFY',
        headers: { 'Subscription-State': state, Event: 'presence', 'Content-Type': 'application/pidf+xml' },
        body: PIDF(ENTITY, basic, note),
      }, (err, nres) => notifyAnswers.push(err ? `${state} error ${err.message}` : `${state} ${nres.status}`));

      notify('active;expires=3600', 'open', 'Available (héllo ✓)');
      dialog.on('subscribe', (sreq, sres) => {
        const expires = sreq.get('Expires') || '3600';
        refreshes.push(expires);
        looseRes(sres).send(200, { headers: { Expires: expires } }, (err) => {
          if (!err) notify(`active;expires=${expires}`, 'open', 'Still available');
        });
      });
      dialog.on('unsubscribe', (ureq, reason) => {
        unsubscribed.resolve(`${reason} expires=${ureq.get('Expires')}`);
        notify('terminated;reason=timeout', 'closed', 'Offline');
      });
      dialog.on('destroy', () => destroyed.resolve());
    }, (e: Error) => dialogP.reject(e));
  };
  const conn = await connectSrf(admin, { routes: { subscribe: onSubscribe } });
  srf = conn.srf;
  return { conn, dialog: dialogP.promise, notifyAnswers, refreshes, unsubscribed: unsubscribed.promise, destroyed: destroyed.promise };
}
