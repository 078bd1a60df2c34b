/**
 * Works around a bug in the TEST CLIENT (not in our edge): @xmpp/connection
 * 0.14 decodes every socket chunk on its own (`_onData(data) { const str =
 * data.toString("utf8") … }`), so a multi-byte character split across two
 * TCP/TLS reads turns into U+FFFD replacement characters. A 66 kB body of
 * 2–4-byte characters sent by a client to ITSELF through its own server comes
 * back corrupted at byte ~8 032 without any S2S hop (seen in this lab with
 * both ejabberd and Prosody). Issue #3 forbids exactly this in our edge
 * ("use a StringDecoder, never toString() per chunk"); here the fix is applied
 * to the client's connection class for this test process only, so that a
 * byte-exact assertion on what a client receives tests the servers and the
 * edge, not xmpp.js.
 *
 * harness/xmpp-client.ts imports it, so every lab client gets the fix.
 */
import { StringDecoder } from 'node:string_decoder';

interface ConnectionProto {
  _onData(this: ConnectionLike, data: Buffer | string): void;
}
interface ConnectionLike { parser?: { write(s: string): void } }

// eslint-disable-next-line @typescript-eslint/no-require-imports
const mod = require('@xmpp/connection') as { default?: { prototype: ConnectionProto } } & { prototype?: ConnectionProto };
const proto = (mod.default ?? mod).prototype;
const decoders = new WeakMap<object, StringDecoder>();
const PATCHED = Symbol.for('dxg-lab.utf8-stream-decoder');

if (proto && !(proto as unknown as Record<symbol, boolean>)[PATCHED]) {
  proto._onData = function onData(this: ConnectionLike, data: Buffer | string): void {
    let d = decoders.get(this);
    if (!d) {
      d = new StringDecoder('utf8');
      decoders.set(this, d);
    }
    this.parser?.write(typeof data === 'string' ? data : d.write(data));
  };
  (proto as unknown as Record<symbol, boolean>)[PATCHED] = true;
}

/** True when the client's connection class carries the streaming decoder. */
export const clientUtf8FixApplied = (): boolean => Boolean(proto && (proto as unknown as Record<symbol, boolean>)[PATCHED]);
