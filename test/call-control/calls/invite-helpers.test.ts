import { describe, expect, it } from 'vitest';
import { statusForA } from '../../../services/call-control/calls/bridge-call';
import { natProxy } from '../../../services/call-control/calls/invite-handler';
import { MediaLegs } from '../../../services/call-control/calls/media-legs';
import type { NgClient, NgCommand, NgDict } from '../../../services/call-control/media/ng-client';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { AppError } from '../../../services/common/errors';
import { createLogger } from '../../../services/common/logger';

describe('statusForA', () => {
  it.each([
    [{ status: 486, reason: 'Busy Here' }, { status: 486, reason: 'Busy Here' }],
    [{ status: 603 }, { status: 603 }],
    [{ status: 407 }, { status: 480, reason: 'Temporarily Unavailable' }],
    [{ status: 401 }, { status: 480, reason: 'Temporarily Unavailable' }],
    [new Error('socket closed'), { status: 480, reason: 'Temporarily Unavailable' }],
    [new AppError(502, 'rtpengine-error', 'x'), { status: 503, reason: 'Media Unavailable' }],
  ])('%o → %o', (err, expected) => {
    expect(statusForA(err)).toEqual(expected);
  });
});

describe('natProxy', () => {
  const src = { address: '203.0.113.7', port: 40112, transport: 'UDP' };
  it('routes via the REGISTER source when the Contact names a private host', () => {
    expect(natProxy('sip:202@192.168.1.20:5060', src)).toBe('sip:203.0.113.7:40112;transport=udp');
  });
  it('leaves a Contact on the source host alone', () => {
    expect(natProxy('sip:202@203.0.113.7:5062', src)).toBeUndefined();
  });
  it('sends to a phone registered over TLS over its registration connection, even on its own host', () => {
    expect(natProxy('sips:202@203.0.113.7:5061', { address: '203.0.113.7', port: 51234, transport: 'tls' })).toBe('sip:203.0.113.7:51234;transport=tls');
  });
  it('brackets an IPv6 source', () => {
    expect(natProxy('sip:202@10.0.0.1', { address: '2001:db8::1', port: 5060, transport: 'tcp' })).toBe('sip:[2001:db8::1]:5060;transport=tcp');
  });
});

describe('MediaLegs', () => {
  const sent: Array<[NgCommand, NgDict]> = [];
  const ng: NgClient = { command: async (name, params) => (sent.push([name, params]), { result: 'ok', sdp: 'v=0\r\n' }), close: () => undefined };
  const legs = new MediaLegs(new RtpengineMedia({ ng, log: createLogger({ sink: () => undefined }) }), 'call-1', 'tagA', '10.0.0.5');
  const sdp = 'v=0\r\nm=audio 4000 RTP/AVP 8\r\na=sendonly\r\n';

  it('refuses a re-offer before B answered', async () => {
    await expect(legs.reOffer('A', sdp)).rejects.toThrow(/before B answered/);
  });

  it('names the parties the right way round in each direction', async () => {
    await legs.offerFromA(sdp);
    await legs.answerFromB(sdp, 'tagB');
    await legs.reOffer('B', sdp);
    await legs.reAnswer('B', sdp);
    await legs.reOffer('A', sdp);
    const tags = sent.map(([n, p]) => [n, p['from-tag'], p['to-tag']]);
    expect(tags).toEqual([
      ['offer', 'tagA', undefined],
      ['answer', 'tagA', 'tagB'],
      ['offer', 'tagB', 'tagA'],
      ['answer', 'tagB', 'tagA'],
      ['offer', 'tagA', 'tagB'],
    ]);
    expect(sent[0]![1]['received from']).toEqual(['IP4', '10.0.0.5']);
  });
});
