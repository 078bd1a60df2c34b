import path from 'node:path';
import { loadConfigFile } from './load';

/** The compose lab (docker-compose.yml) must start: its config is validated as the gateway would. */
describe('lab/gateway.yaml (the compose lab)', () => {
  const file = path.join(__dirname, '..', 'lab', 'gateway.yaml');
  const env = { DXG_DRACHTIO_SECRET: 'cymru', DXG_DIALBACK_SECRET: 'lab-dialback-secret-change-me' };

  it('is a valid configuration whose files exist', () => {
    const r = loadConfigFile(file, { env, now: new Date('2026-12-07T00:00:00Z') });
    if (!r.ok) throw new Error(r.error.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
    expect(r.value.config.gateway.domains).toEqual(['sip.lab']);
  });

  it('keeps presence state on the gateway-state volume, not beside the read-only config', () => {
    const r = loadConfigFile(file, { env, checkFiles: false });
    if (!r.ok) throw new Error('invalid');
    expect(r.value.config.gateway.presence.store).toEqual({ kind: 'sqlite', path: '/var/lib/drachtio-xmpp-gateway/presence.sqlite' });
  });
});
