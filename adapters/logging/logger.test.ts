import { Writable } from 'node:stream';
import { createLogger, forSip, forStream, SERVICE_NAME, type LoggerOptions } from './logger';

/** Collects pino's JSON lines in memory. */
function memory(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function logOne(opts: LoggerOptions, obj: Record<string, unknown>): Record<string, unknown> {
  const m = memory();
  createLogger(opts, m.stream).info(obj, 'line');
  const [line] = m.lines();
  if (line === undefined) throw new Error('no log line written');
  return line;
}

describe('createLogger (style.md §8.5)', () => {
  it('binds the service name and writes the message', () => {
    const line = logOne({ level: 'info' }, { a: 1 });
    expect(line).toMatchObject({ service: SERVICE_NAME, msg: 'line', a: 1, level: 30 });
  });

  it.each([
    ['secret at top level', { secret: 's3cr3t' }, ['secret']],
    ['*.secret', { drachtio: { secret: 's3cr3t', host: 'h' } }, ['drachtio', 'secret']],
    ['*.dialbackSecret', { s2s: { dialbackSecret: 's3cr3t' } }, ['s2s', 'dialbackSecret']],
    ['*.password', { user: { password: 's3cr3t' } }, ['user', 'password']],
    ['*.key', { cert: { key: '-----BEGIN PRIVATE KEY-----' } }, ['cert', 'key']],
    ['config.gateway.drachtio.secret', { config: { gateway: { drachtio: { secret: 's3cr3t' } } } }, ['config', 'gateway', 'drachtio', 'secret']],
    ['config.gateway.s2s.dialbackSecret', { config: { gateway: { s2s: { dialbackSecret: 's3cr3t' } } } }, ['config', 'gateway', 's2s', 'dialbackSecret']],
  ])('censors %s', (_name, obj, path) => {
    const line = logOne({ level: 'info' }, obj);
    let v: unknown = line;
    for (const k of path) v = (v as Record<string, unknown>)[k];
    expect(v).toBe('[redacted]');
    expect(JSON.stringify(line)).not.toContain('s3cr3t');
  });

  it('leaves non-secret siblings intact', () => {
    const line = logOne({ level: 'info' }, { drachtio: { secret: 'x', host: '127.0.0.1' } });
    expect(line.drachtio).toEqual({ secret: '[redacted]', host: '127.0.0.1' });
  });

  it.each([
    ['body', { body: 'hello juliet', to: 'juliet@example.org' }],
    ['*.body', { message: { body: 'hello juliet', to: 'juliet@example.org' } }],
  ])('censors message bodies (%s) by default, keeps the addresses (Lync EnableLoggingAllMessageBodies False)', (_name, obj) => {
    const text = JSON.stringify(logOne({ level: 'info' }, obj));
    expect(text).not.toContain('hello juliet');
    expect(text).toContain('juliet@example.org');
    expect(text).toContain('[redacted]');
  });

  it('logs message bodies when logMessageBodies is true, still censoring secrets', () => {
    const line = logOne({ level: 'info', logMessageBodies: true }, { body: 'hello juliet', secret: 'x' });
    expect(line.body).toBe('hello juliet');
    expect(line.secret).toBe('[redacted]');
  });

  it('drops lines below the level', () => {
    const m = memory();
    const log = createLogger({ level: 'warn' }, m.stream);
    log.info('quiet');
    log.warn('loud');
    expect(m.lines().map((l) => l.msg)).toEqual(['loud']);
  });

  it('forSip binds callId; forStream binds s2s id, direction and domains', () => {
    const m = memory();
    const root = createLogger({ level: 'info' }, m.stream);
    forSip(root, 'abc@host').info('sip');
    forStream(root, { id: 's1', dir: 'in', local: 'example.com', remote: 'example.org' }).info({ secret: 'x' }, 'stream');
    const [sip, stream] = m.lines();
    expect(sip).toMatchObject({ service: SERVICE_NAME, callId: 'abc@host', msg: 'sip' });
    expect(stream).toMatchObject({ s2s: 's1', dir: 'in', local: 'example.com', remote: 'example.org', secret: '[redacted]' });
  });
});
