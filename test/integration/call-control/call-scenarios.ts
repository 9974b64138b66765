// sipp scenarios for the call tests, generated so that each outcome (answer,
// busy, ring then CANCEL, licence refusal) is one small variation of the
// same caller and callee. The caller always authenticates (407, run with
// -au/-ap); media is sipp's g711a.pcap (67 PCMA packets, 1.3 s).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { testOutputDir } from '../../helpers/processes';

const FROM = 'From: "Caller" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]';
const SDP = `v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8
a=rtpmap:8 PCMA/8000`;
const PLAY = '<nop><action><exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/></action></nop>';

const invite = (cseq: number, auth: boolean) => `<send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${FROM}
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: ${cseq} INVITE
Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
${auth ? '[authentication]' : ''}
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${SDP}
]]></send>`;

const ack = (cseq: number, inDialog: boolean) => `<send><![CDATA[
ACK ${inDialog ? '[next_url]' : 'sip:[service]@[remote_ip]:[remote_port]'} SIP/2.0
${inDialog ? 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n[routes]' : '[last_Via:]'}
${FROM}
[last_To:]
Call-ID: [call_id]
CSeq: ${cseq} ACK
Max-Forwards: 70
Content-Length: 0

]]></send>`;

const bye = (cseq = 3) => `<send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${FROM}
[last_To:]
Call-ID: [call_id]
CSeq: ${cseq} BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200" crlf="true"/>`;

const cancel = `<send><![CDATA[
CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
${FROM}
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 2 CANCEL
Max-Forwards: 70
Content-Length: 0

]]></send>`;

// Run with -key caller <extension>.
const head = `${invite(1, false)}<recv response="100" optional="true"/><recv response="407" auth="true"/>${ack(1, false)}${invite(2, true)}<recv response="100" optional="true"/>`;

/** What the caller expects: answered (talk for sipp's -d ms, then BYE), a final failure status, CANCEL after ringing, "answered or 503 licence refusal", or answered and hung up on by the PBX. */
export type UacOutcome =
  | { answer: true; play?: boolean; /** 180 must come, and no 183 (local ringback made by the phone). */ ringback?: true }
  | { fail: number }
  | { cancel: true }
  | { answerOr503: true }
  | { hold: true }
  | { heldByCallee: true }
  | { byePbx: true };

/** The caller's side of a hold from the callee: a re-INVITE with a=sendonly arrives (checked), answered recvonly. */
const heldByCallee = `<recv request="INVITE"><action><ereg regexp="a=sendonly" search_in="body" check_it="true" assign_to="held"/><log message="offer [$held]"/></action></recv>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

${SDP.replace('2353687637', '2353687638')}
a=recvonly
]]></send>
<recv request="ACK"/>`;

/** RFC 3264 §8.4 hold: a re-INVITE with a=sendonly; the answer must come back a=recvonly (checked). */
const reInvite = (cseq: number, direction: 'sendonly' | 'sendrecv', expectBack: 'recvonly' | 'sendrecv') => `<send retrans="500"><![CDATA[
INVITE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${FROM}
[last_To:]
Call-ID: [call_id]
CSeq: ${cseq} INVITE
Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${SDP.replace('2353687637', String(2353687637 + cseq))}
a=${direction}
]]></send>
<recv response="100" optional="true"/>
<recv response="200"><action><ereg regexp="a=${expectBack}" search_in="body" check_it="true" assign_to="dir${cseq}"/><log message="answer [$dir${cseq}]"/></action></recv>
${ack(cseq, true)}`;

function uacBody(o: UacOutcome): string {
  if ('heldByCallee' in o) {
    // After B's re-INVITE the last message is not from the answer any more: keep the To (with B's tag) for the BYE.
    const answered = `<recv response="200" rrs="true"><action><ereg regexp=".*" search_in="hdr" header="To:" assign_to="peer"/></action></recv>`;
    return `${head}<recv response="180" optional="true"/>${answered}${ack(2, true)}${heldByCallee}<pause milliseconds="300"/>${bye().replace('[last_To:]', 'To: [$peer]')}`;
  }
  // Answered by the PBX itself, which hangs up when it has said its piece (a feature code's confirmation).
  if ('byePbx' in o)
    return `${head}<recv response="180" optional="true"/><recv response="183" optional="true"/><recv response="200" rrs="true"/>${ack(2, true)}<recv request="BYE" timeout="30000"/><send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`;
  if ('hold' in o)
    return `${head}<recv response="180" optional="true"/><recv response="200" rrs="true"/>${ack(2, true)}${PLAY}<pause milliseconds="1500"/>${reInvite(3, 'sendonly', 'recvonly')}<pause milliseconds="500"/>${reInvite(4, 'sendrecv', 'sendrecv')}<pause milliseconds="500"/>${bye(5)}`;
  // 181 Call Is Being Forwarded (RFC 3261 §21.1.3) comes when call-control forwards the call.
  if ('fail' in o)
    return `${head}<recv response="180" optional="true"/><recv response="181" optional="true"/><recv response="183" optional="true"/><recv response="${o.fail}"/>${ack(2, false)}`;
  if ('cancel' in o)
    return `${head}<recv response="180"/>${cancel}<recv response="200" optional="true"/><recv response="487"/>${ack(2, false)}`;
  const answered = `<recv response="200" rrs="true"/>${ack(2, true)}${'play' in o && o.play ? PLAY : ''}<pause/>${bye()}`;
  if ('answer' in o && o.ringback) return `${head}<recv response="180"/>${answered}`;
  if ('answer' in o)
    return `${head}<recv response="180" optional="true"/><recv response="181" optional="true"/><recv response="183" optional="true"/>${answered}`;
  // The refused branch checks the Reason header names the licence limit (check_it fails the call otherwise).
  return `${head}<recv response="180" optional="true"/><recv response="503" optional="true" next="refused">
<action><ereg regexp="Reason: Q\\.850;cause=34;text=&quot;licence limit: [0-9]+ concurrent calls&quot;" search_in="msg" check_it="true" assign_to="reason"/></action></recv>
${answered}<nop next="end"/><label id="refused"/><nop><action><log message="refused: [$reason]"/></action></nop>${ack(2, false)}<label id="end"/>`;
}

export type UasKind =
  | 'answer'
  | 'answer-play'
  | 'busy'
  | 'unavailable'
  | 'ring-until-cancel'
  | 'answer-hold'
  | 'early-media'
  | 'answer-then-hold'
  | 'ring-then-answer'
  | 'cancelled-elsewhere'
  | 'early-until-cancel';

/** The callee puts the caller on hold: its own re-INVITE in the dialog (RFC 3261 §14.1, its own CSeq space), a=sendonly; the answer must be recvonly. */
const calleeHolds = `<pause milliseconds="500"/>
<send retrans="500"><![CDATA[
INVITE [$target] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:callee@[local_ip]:[local_port]>;tag=[pid]SIPpTag02[call_number]
To: [$remote]
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:callee@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${SDP.replace('user1', 'user2').replace('2353687637', '2353687638')}
a=sendonly
]]></send>
<recv response="100" optional="true"/>
<recv response="200"><action><ereg regexp="a=recvonly" search_in="body" check_it="true" assign_to="back"/><log message="answer [$back]"/></action></recv>
<send><![CDATA[
ACK [$target] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:callee@[local_ip]:[local_port]>;tag=[pid]SIPpTag02[call_number]
To: [$remote]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>`;

const reply = (status: string, sdp: boolean, tagged = true) => `<send${sdp ? ' retrans="500"' : ''}><![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:]${tagged ? ';tag=[pid]SIPpTag02[call_number]' : ''}
[last_Call-ID:]
[last_CSeq:]
[last_Record-Route:]
Contact: <sip:callee@[local_ip]:[local_port];transport=[transport]>
${sdp ? `Content-Type: application/sdp\nContent-Length: [len]\n\n${SDP.replace('user1', 'user2')}` : 'Content-Length: 0\n'}
]]></send>`;

function uasBody(kind: UasKind): string {
  const invited = `<recv request="INVITE" crlf="true"/>${reply('180 Ringing', false)}`;
  // RFC 3960 early media: 183 with SDP (its speech plays before the answer), then 200 with the same SDP.
  if (kind === 'early-media')
    return `<recv request="INVITE" crlf="true"/>${reply('183 Session Progress', true).replace(' retrans="500"', '')}${PLAY}<pause milliseconds="1500"/>${reply('200 OK', true)}<recv request="ACK" crlf="true"/><recv request="BYE" timeout="60000"/>${reply('200 OK', false, false)}`;
  if (kind === 'answer-then-hold') {
    const invitedKeepingFrom = `<recv request="INVITE" crlf="true"><action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote"/><ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="target"/></action></recv>${reply('180 Ringing', false)}`;
    return `${invitedKeepingFrom}${reply('200 OK', true)}<recv request="ACK" crlf="true"/>${calleeHolds}<recv request="BYE" timeout="60000"/>${reply('200 OK', false, false)}`;
  }
  if (kind === 'busy') return `${invited}${reply('486 Busy Here', false)}<recv request="ACK"/>`;
  // A phone that refuses at once, without ringing (issue 17: some phones answer 503 when they cannot take a call).
  if (kind === 'unavailable') return `<recv request="INVITE" crlf="true"/>${reply('503 Service Unavailable', false)}<recv request="ACK"/>`;
  // One phone of several: it rings 1 s, then answers and speaks (the fork's winner).
  if (kind === 'ring-then-answer')
    return `${invited}<pause milliseconds="1000"/>${reply('200 OK', true)}<recv request="ACK" crlf="true"/>${PLAY}<recv request="BYE" timeout="60000"/>${reply('200 OK', false, false)}`;
  if (kind === 'ring-until-cancel' || kind === 'cancelled-elsewhere' || kind === 'early-until-cancel') {
    // RFC 3261 §9.2: 200 to the CANCEL, then 487 to the INVITE (same CSeq number, INVITE method), then its ACK.
    const invitedKeepingCseq = `<recv request="INVITE" crlf="true"><action><ereg regexp="([0-9]+)" search_in="hdr" header="CSeq:" assign_to="whole,invcseq"/></action></recv><nop><action><log message="INVITE [$whole]"/></action></nop>${reply('180 Ringing', false)}`;
    const terminated = reply('487 Request Terminated', false).replace('[last_CSeq:]', 'CSeq: [$invcseq] INVITE');
    // Another phone took the call: the CANCEL must say so (RFC 3326 Reason, checked), so this phone shows no missed call.
    const elsewhere =
      '<action><ereg regexp="Reason: SIP;cause=200;text=&quot;Call completed elsewhere&quot;" search_in="msg" check_it="true" assign_to="why"/><log message="cancel [$why]"/></action>';
    const cancelled =
      kind === 'cancelled-elsewhere'
        ? `<recv request="CANCEL" timeout="60000">${elsewhere}</recv>`
        : '<recv request="CANCEL" timeout="60000"/>';
    // early-until-cancel: speech in a 183 (RFC 3960) that the caller hears until this phone is given up on.
    const ringing =
      kind === 'early-until-cancel'
        ? invitedKeepingCseq.replace(reply('180 Ringing', false), reply('183 Session Progress', true).replace(' retrans="500"', '') + PLAY)
        : invitedKeepingCseq;
    return `${ringing}${cancelled}${reply('200 OK', false, false)}${terminated}<recv request="ACK"/>`;
  }
  if (kind === 'answer-hold') {
    // The callee sees the caller's hold (a=sendonly through rtpengine) and answers recvonly, then the resume.
    const reOffer = (dir: string, answer: string, n: number) =>
      `<recv request="INVITE"><action><ereg regexp="a=${dir}" search_in="body" check_it="true" assign_to="got${n}"/><log message="offer [$got${n}]"/></action></recv>${reply('200 OK', true, false).replace('a=rtpmap:8 PCMA/8000', `a=rtpmap:8 PCMA/8000\na=${answer}`)}<recv request="ACK"/>`;
    return `${invited}${reply('200 OK', true)}<recv request="ACK" crlf="true"/>${reOffer('sendonly', 'recvonly', 1)}${reOffer('sendrecv', 'sendrecv', 2)}<recv request="BYE" timeout="60000"/>${reply('200 OK', false, false)}`;
  }
  return `${invited}${reply('200 OK', true)}<recv request="ACK" crlf="true"/>${kind === 'answer-play' ? PLAY : ''}<recv request="BYE" timeout="60000"/>${reply('200 OK', false, false)}`;
}

function write(name: string, body: string): string {
  const file = path.join(testOutputDir('call-control', 'scenarios'), `${name}-${process.pid}.xml`);
  writeFileSync(
    file,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n<scenario name="${name}">\n${body}\n</scenario>\n`,
  );
  return file;
}

export const uacScenario = (name: string, o: UacOutcome) => write(`uac-${name}`, uacBody(o));
export const uasScenario = (kind: UasKind) => write(`uas-${kind}`, uasBody(kind));
