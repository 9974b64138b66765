// sipp scenarios of an operator's caller reaching an IVR over the trunk: the
// INVITE offers PCMA and telephone-event (RFC 4733, payload 101), the PBX
// answers it itself, the caller presses keys as RFC 4733 events (sipp's
// dtmf_2833_<key>.pcap, payload 101, played to rtpengine's port in the
// answer), then either is re-INVITEd onto the member who answered and talks
// (`connect`) or is hung up on by the PBX (`hungup`); or it is refused with
// 480 (or `refusedWith`) before any answer (`refused`). Generated per call
// because sipp cannot choose a pcap file from a variable.
//
// `dtmf: 'inband'` is a caller whose line carries no telephone-event (an old
// gateway, an analogue adapter): the INVITE offers PCMA alone and each key is
// its two tones (ITU-T Q.23) in the audio, 200 ms then 100 ms of silence.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeG711 } from '../../../services/recordings/g711';
import { freeLowUdpPorts } from '../../helpers/ports';
import { buildPcap, rtpPacket, tone } from '../../recordings/pcap-builder';

const PCAP = '/usr/share/sip-tester';
const pcapOf = (key: string) => path.join(PCAP, `dtmf_2833_${key === '#' ? 'pound' : key === '*' ? 'star' : key}.pcap`);

export type DtmfMode = 'rfc4733' | 'inband';

/** Q.23 low (row) and high (column) frequencies of each key. */
const ROWS = [697, 770, 852, 941];
const COLS = [1209, 1336, 1477, 1633];
const KEYPAD = ['123A', '456B', '789C', '*0#D'];

function dtmfFrequencies(key: string): [number, number] {
  const row = KEYPAD.findIndex((r) => r.includes(key));
  if (row < 0) throw new Error(`no DTMF key ${key}`);
  return [ROWS[row]!, COLS[KEYPAD[row]!.indexOf(key)]!];
}

/** A pcap of `key` as in-band tones in PCMA, as sipp's play_pcap_audio reads it (Ethernet frames, 20 ms apart). */
export function inbandKeyPcap(dir: string, key: string): string {
  const file = path.join(dir, `inband-dtmf-${key === '#' ? 'pound' : key === '*' ? 'star' : key}.pcap`);
  if (existsSync(file)) return file;
  const [low, high] = dtmfFrequencies(key);
  const frames = 15; // 200 ms of the key, 100 ms of silence
  const packets = Array.from({ length: frames }, (_, i) => {
    const a = tone(low, 160, i * 160, 7000);
    const b = tone(high, 160, i * 160, 7000);
    const samples = i < 10 ? a.map((x, j) => x + b[j]!) : new Int16Array(160);
    return {
      timeUs: 1_800_000_000_000_000 + i * 20_000,
      src: '10.0.0.1:4000',
      dst: '10.0.0.2:5000',
      payload: rtpPacket({ payloadType: 8, sequence: 300 + i, timestamp: 48_000 + i * 160, ssrc: 0x5151, payload: encodeG711('alaw', samples), marker: i === 0 }),
    };
  });
  writeFileSync(file, buildPcap(packets, { linkType: 1 }));
  return file;
}

const offerSdp = (dtmf: DtmfMode) => `v=0
      o=operator 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      ${
        dtmf === 'inband'
          ? 'm=audio [media_port] RTP/AVP 8\n      a=rtpmap:8 PCMA/8000'
          : 'm=audio [media_port] RTP/AVP 8 101\n      a=rtpmap:8 PCMA/8000\n      a=rtpmap:101 telephone-event/8000\n      a=fmtp:101 0-15'
      }`;

const inDialog = (method: string, cseq: number) => `
  <send${method === 'ACK' ? '' : ' retrans="500"'}>
    <![CDATA[
      ${method} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag06[call_number]
      To:[$to]
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`;

/** Writes the scenario to `dir` and returns its path. `keys` are pressed 1.5 s after the answer, 0.7 s apart (each event lasts 0.2 s). */
export function ivrCallerScenario(
  dir: string,
  name: string,
  keys: string,
  then: 'connect' | 'hungup' | 'refused',
  refusedWith = 480,
  dtmf: DtmfMode = 'rfc4733',
): string {
  const sdp = offerSdp(dtmf);
  const keyPcap = (k: string) => (dtmf === 'inband' ? inbandKeyPcap(dir, k) : pcapOf(k));
  // No pause after the last key: the PBX may re-INVITE at once, and sipp aborts on a message while pausing.
  const presses = [...keys].map((k) => `<nop><action><exec play_pcap_audio="${keyPcap(k)}"/></action></nop>`).join(`
  <pause milliseconds="700"/>
  `);
  const connect = `
  <recv request="INVITE" rrs="true" timeout="30000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:operator@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      ${sdp}
    ]]>
  </send>
  <recv request="ACK"/>
  <nop><action><exec play_pcap_audio="${PCAP}/g711a.pcap"/></action></nop>
  <pause/>${inDialog('BYE', 2)}
  <recv response="200" crlf="true"/>`;
  const hungup = `
  <recv request="BYE" timeout="30000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>`;
  // Refused before any answer (RFC 3261 §17.1.1.3: the ACK of a failure is in the INVITE's transaction).
  const refused = `
  <recv response="100" optional="true"/>
  <recv response="${refusedWith}"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag06[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`;
  const answered = `
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true">
    <!-- The PBX's To (with its tag), kept: after its re-INVITE [last_To:] would be our own. -->
    <action><ereg regexp=".*" search_in="hdr" header="To:" assign_to="to"/></action>
  </recv>${inDialog('ACK', 1)}
  <pause milliseconds="1500"/>
  ${presses}${then === 'connect' ? connect : hungup}`;
  const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${name}">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag06[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:operator@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      ${sdp}
    ]]>
  </send>${then === 'refused' ? refused : answered}
</scenario>
`;
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  return file;
}

/**
 * sipp's arguments for one caller of such a scenario on loopback: its SIP port,
 * fresh media ports, one call, a timeout, errors kept beside the logs, the
 * dialled number, the caller's number as `[caller]`, the hold time; `extra`
 * goes before the PBX's address (which sipp wants last).
 */
export async function ivrCallerArgs(o: {
  scenario: string;
  port: number;
  out: string;
  tag: string;
  timeoutS: number;
  dialled: string;
  caller: string;
  holdMs: number;
  pbx: string;
  extra?: string[];
}): Promise<string[]> {
  const media = String(await freeLowUdpPorts(4));
  const errors = path.join(o.out, `${o.tag}-errors.log`);
  return [
    ...['-sf', o.scenario, '-i', '127.0.0.1', '-p', String(o.port), '-mi', '127.0.0.1', '-mp', media, '-t', 'u1', '-nostdin', '-m', '1'],
    ...['-timeout', `${o.timeoutS}s`, '-timeout_error', '-trace_err', '-error_file', errors],
    ...['-s', o.dialled, '-key', 'caller', o.caller, '-d', String(o.holdMs), ...(o.extra ?? []), o.pbx],
  ];
}
