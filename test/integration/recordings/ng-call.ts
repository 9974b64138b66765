// Drives one recorded call through a real rtpengine over ng (rtpengine-client):
// two UDP endpoints of the test send PCMA 440 Hz (caller) and PCMU 880 Hz
// (callee) through it while it records with our metadata string.
import { createRequire } from 'node:module';
import dgram from 'node:dgram';
import { encodeRecordingMetadata, type RecordingMetadata } from '../../../services/recordings/capture-metadata';
import { encodeG711, type G711Law } from '../../../services/recordings/g711';
import { rtpPacket, tone } from '../../recordings/pcap-builder';

type NgResponse = Record<string, unknown> & { result: string; sdp?: string; 'error-reason'?: string };
type NgCall = (port: number, host: string, opts?: Record<string, unknown>) => Promise<NgResponse>;
export interface NgClient {
  ping: NgCall;
  offer: NgCall;
  answer: NgCall;
  startRecording: NgCall;
  stopRecording: NgCall;
  delete: NgCall;
  close(): void;
}
// rtpengine-client is CommonJS without type declarations.
const require = createRequire(import.meta.url);
const { Client } = require('rtpengine-client') as { Client: new (opts: { localAddress: string; timeout: number }) => NgClient };

export const newNgClient = (): NgClient => new Client({ localAddress: '127.0.0.1', timeout: 5000 });

const udpSocket = () =>
  new Promise<dgram.Socket>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });

const sdp = (port: number) =>
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
  `m=audio ${port} RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`;

const mediaPort = (s: string | undefined) => Number(/^m=audio (\d+)/m.exec(s ?? '')?.[1]);

function ok(r: NgResponse, what: string): NgResponse {
  if (r.result !== 'ok') throw new Error(`${what}: ${r.result} ${r['error-reason'] ?? ''}`);
  return r;
}

async function sendTone(sock: dgram.Socket, port: number, freq: number, law: G711Law, ssrc: number, packets: number) {
  const t0 = Date.now();
  for (let i = 0; i < packets; i++) {
    const wait = t0 + i * 20 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const payload = encodeG711(law, tone(freq, 160, i * 160));
    const pkt = rtpPacket({ payloadType: law === 'alaw' ? 8 : 0, sequence: 4000 + i, timestamp: 90_000 + i * 160, ssrc, payload, marker: i === 0 });
    await new Promise<void>((resolve, reject) => sock.send(pkt, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
}

/** Offer, answer, start recording with the channel map, `seconds` of tones both ways, stop, delete. */
export async function recordCall(ng: NgClient, ngPort: number, callId: string, meta: RecordingMetadata, seconds: number): Promise<void> {
  const a = await udpSocket();
  const b = await udpSocket();
  try {
    const common = { 'call-id': callId, 'from-tag': 'caller', replace: ['origin', 'session-connection'], ICE: 'remove' };
    const offer = ok(await ng.offer(ngPort, '127.0.0.1', { ...common, sdp: sdp(a.address().port) }), 'offer');
    const answer = ok(await ng.answer(ngPort, '127.0.0.1', { ...common, 'to-tag': 'callee', sdp: sdp(b.address().port) }), 'answer');
    const fromA = mediaPort(answer.sdp);
    const fromB = mediaPort(offer.sdp);
    const channels = { left: [`127.0.0.1:${fromA}`], right: [`127.0.0.1:${fromB}`] };
    ok(await ng.startRecording(ngPort, '127.0.0.1', { 'call-id': callId, 'from-tag': 'caller', metadata: encodeRecordingMetadata({ ...meta, channels }) }), 'start recording');
    await Promise.all([sendTone(a, fromA, 440, 'alaw', 0xa1a1a1a1, seconds * 50), sendTone(b, fromB, 880, 'ulaw', 0xb2b2b2b2, seconds * 50)]);
    ok(await ng.stopRecording(ngPort, '127.0.0.1', { 'call-id': callId, 'from-tag': 'caller' }), 'stop recording');
    ok(await ng.delete(ngPort, '127.0.0.1', { 'call-id': callId, 'from-tag': 'caller' }), 'delete');
  } finally {
    a.close();
    b.close();
  }
}
