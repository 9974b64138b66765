// RTP for held benchmark calls: sipp's generated scenarios play g711a.pcap
// (about 1.3 s) once at the answer. For media that runs as long as the
// call, each phone plays instead a pcap of that speech looped for the hold,
// with RTP sequence numbers and timestamps running on (RFC 3550 §5.1) as a
// real phone's would. It ends half a second before the BYE.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPcap, rtpPacket } from '../../test/recordings/pcap-builder';
import { parsePcap } from '../../services/recordings/pcap-reader';
import { parseRtp } from '../../services/recordings/rtp';

export const SPEECH = '/usr/share/sip-tester/g711a.pcap';

/** 20 ms packets one phone sends during a hold of `holdMs` (what rtpengine should count from it). */
export const framesFor = (holdMs: number): number => Math.max(50, Math.floor((holdMs - 500) / 20));

/** Writes `<side>-speech.xml` into `dir`: `scenario` playing the looped speech instead of g711a.pcap. */
export function speechForWholeHold(scenario: string, side: 'uac' | 'uas', dir: string, holdMs: number): string {
  const speech = Buffer.concat(parsePcap(readFileSync(SPEECH)).datagrams.map((d) => parseRtp(d.payload).payload));
  const frames = framesFor(holdMs);
  const shift = side === 'uac' ? 0 : speech.length >> 1; // the two phones say different things at the same moment
  const packets = Array.from({ length: frames }, (_, i) => {
    const payload = Buffer.alloc(160);
    for (let k = 0; k < 160; k++) payload[k] = speech[(i * 160 + k + shift) % speech.length]!;
    return { timeUs: 1_800_000_000_000_000 + i * 20_000, src: '10.0.0.1:4000', dst: '10.0.0.2:5000', payload: rtpPacket({ payloadType: 8, sequence: i & 0xffff, timestamp: (i * 160) >>> 0, ssrc: side === 'uac' ? 0x1111 : 0x2222, payload, marker: i === 0 }) };
  });
  const pcap = path.join(dir, `${side}-speech.pcap`);
  writeFileSync(pcap, buildPcap(packets, { linkType: 1 }));
  const text = readFileSync(scenario, 'utf8');
  if (!text.includes(SPEECH)) throw new Error(`${scenario} plays no ${SPEECH}`);
  const out = path.join(dir, `${side}-speech.xml`);
  writeFileSync(out, text.replaceAll(SPEECH, pcap));
  return out;
}

/**
 * The same speech through sipp's rtp_stream instead: raw A-law looped until
 * the call ends, played by a few threads (-rtp_threadtasks calls each) where
 * play_pcap_audio runs a thread per call. With 1,000 streams those threads
 * outnumbered the PBX's own and starved it of CPU on 2 cores.
 */
export function speechStream(scenario: string, side: 'uac' | 'uas', dir: string): string {
  const speech = Buffer.concat(parsePcap(readFileSync(SPEECH)).datagrams.map((d) => parseRtp(d.payload).payload));
  const shift = side === 'uac' ? 0 : (speech.length >> 1) - ((speech.length >> 1) % 160);
  const raw = path.join(dir, `${side}-speech.alaw`);
  writeFileSync(raw, Buffer.concat([speech.subarray(shift), speech.subarray(0, shift)]));
  const text = readFileSync(scenario, 'utf8');
  const play = `play_pcap_audio="${SPEECH}"`;
  if (!text.includes(play)) throw new Error(`${scenario} plays no ${SPEECH}`);
  const out = path.join(dir, `${side}-stream.xml`);
  writeFileSync(out, text.replaceAll(play, `rtp_stream="${raw},-1,8"`));
  return out;
}
