import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import * as dnsPacket from 'dns-packet';

export type SrvAnswer = { name: string; port: number; priority: number; weight: number };

/**
 * A tiny authoritative DNS server on loopback UDP, answering SRV and A queries
 * from a table. Tests point a real node:dns Resolver at it, so the resolver
 * code under test does real DNS on the wire; nothing leaves 127.0.0.1.
 */
export async function startTestDnsServer(records: {
  srv?: Record<string, SrvAnswer[]>;
  a?: Record<string, string[]>;
}): Promise<{ resolver: dnsPromises.Resolver; port: number; queries: string[]; stop(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    queries.push(`${question.type} ${question.name}`);
    const answers: dnsPacket.Answer[] = [];
    if (question.type === 'SRV') {
      for (const r of records.srv?.[question.name] ?? []) {
        answers.push({ type: 'SRV', name: question.name, ttl: 60, data: { target: r.name, port: r.port, priority: r.priority, weight: r.weight } });
      }
    } else if (question.type === 'A') {
      for (const ip of records.a?.[question.name] ?? []) answers.push({ type: 'A', name: question.name, ttl: 60, data: ip });
    }
    const known = question.type === 'SRV' ? records.srv?.[question.name] : records.a?.[question.name];
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3), // rcode 3 = NXDOMAIN
      questions: q.questions,
      answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => socket.bind(0, '127.0.0.1', () => res()));
  const port = socket.address().port;
  const resolver = new dnsPromises.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return {
    resolver,
    port,
    queries,
    stop: () => new Promise<void>((res) => socket.close(() => res())),
  };
}
