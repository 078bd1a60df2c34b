/**
 * The SIPp runner on its own: SIPp UAC → SIPp UAS on loopback, over UDP and TCP,
 * with scenario vars, a UAS that is stopped, and the errors the runner reports.
 */
import { runSippUac, sippMessageSummary, startSippUas, type SippTransport } from './sipp';

describe('SIPp runner (sip-tester 3.6.1)', () => {
  it.each(['u1', 't1'] as const)('a MESSAGE UAC gets the status the UAS scenario was given (transport %s)', async (transport: SippTransport) => {
    const uas = await startSippUas({ scenario: 'uas_message.xml', vars: { STATUS: '480', REASON: 'Temporarily Unavailable' }, transport, timeoutMs: 8000 });
    try {
      const uac = await runSippUac(`${uas.host}:${uas.port}`, {
        scenario: 'uac_message.xml', vars: { EXPECT: '480', BODY: 'grüße ✓' }, service: 'juliet', transport, timeoutMs: 5000,
      });
      expect(uac.exitCode).toBe(0);
      expect(sippMessageSummary(uac.messages)).toEqual([
        `sent MESSAGE sip:juliet@127.0.0.1:${uas.port} SIP/2.0`, 'received SIP/2.0 480 Temporarily Unavailable',
      ]);
      expect(uac.messages).toContain('\r\n\r\ngrüße ✓\r\n'); // the var became the body, CRLF-terminated
      const u = await uas.done;
      // over TCP the UAC's exit closes the connection while the UAS still pauses: SIPp counts
      // that call as failed (exit 1); drachtio keeps its connection, so conformance runs see 0
      expect(u.exitCode).toBe(transport === 'u1' ? 0 : 1);
      expect(sippMessageSummary(u.messages)).toEqual([
        `received MESSAGE sip:juliet@127.0.0.1:${uas.port} SIP/2.0`, 'sent SIP/2.0 480 Temporarily Unavailable',
      ]);
    } finally {
      await uas.stop();
    }
  });

  it('a UAC whose peer never answers fails at its -timeout (exit 255), it is not left running', async () => {
    const uas = await startSippUas({ scenario: 'uas_message_noanswer.xml', timeoutMs: 20_000 });
    try {
      const uac = await runSippUac(`${uas.host}:${uas.port}`, { scenario: 'uac_message.xml', vars: { EXPECT: '200', BODY: 'x' }, timeoutMs: 1500 });
      expect(uac.exitCode).toBe(255);
      expect(uac.killed).toBe(false);
    } finally {
      const u = await uas.stop();
      expect(u.killed).toBe(true); // still pausing (40 s) when stopped
      expect(sippMessageSummary(u.messages).length).toBeGreaterThan(1); // it saw the UAC's retransmissions
    }
  });

  it('refuses a scenario with a var left unfilled', async () => {
    await expect(runSippUac('127.0.0.1:15069', { scenario: 'uas_message.xml', vars: { STATUS: '200' } })).rejects.toThrow(/no value for @REASON@/);
  });
});
