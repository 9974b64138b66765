// sipp and a SIP client playing a per-line GoIP on loopback: each line
// registers as its own SIP user with digest (MD5, qop=auth), and answers
// INVITEs from the PBX as a GSM port does (ring then answer, or 503 when
// its channel is busy), checking the number it was asked to dial.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freeLowUdpPorts, freePort } from '../../helpers/ports';
import { startProcess, testOutputDir } from '../../helpers/processes';
import type { Pbx } from '../call-control/pbx';
import { SipUdpClient } from '../call-control/sip-udp-client';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** REGISTER as the port user (challenge, then digest); `*` with expires 0 removes the port's bindings first (RFC 3261 §10.2.2). */
export async function registerPort(pbx: Pbx, user: string, password: string, contactPort: number): Promise<number> {
  const line = await SipUdpClient.open({ host: '127.0.0.1', port: pbx.app.ports.sip });
  const once = async (contact: string, expires?: number) => {
    const extra = expires === undefined ? {} : { expires };
    const challenge = await line.register({ user, domain: pbx.domain, contact, ...extra });
    if (challenge.status !== 401) return challenge.status;
    const row = challenge.all('www-authenticate').find((v) => v.endsWith('algorithm=MD5'))!;
    const nonce = /nonce="([^"]+)"/.exec(row)![1]!;
    const response = md5(`${md5(`${user}:${pbx.domain}:${password}`)}:${nonce}:00000001:c1:auth:${md5(`REGISTER:sip:${pbx.domain}`)}`);
    const ok = await line.register({
      user,
      domain: pbx.domain,
      contact,
      ...extra,
      headers: { Authorization: `Digest username="${user}", realm="${pbx.domain}", nonce="${nonce}", uri="sip:${pbx.domain}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"` },
    });
    return ok.status;
  };
  try {
    const cleared = await once('*', 0);
    if (cleared !== 200) return cleared;
    return await once(`<sip:${user}@127.0.0.1:${contactPort}>`);
  } finally {
    line.close();
  }
}

const SDP = `v=0
o=goip 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8
a=rtpmap:8 PCMA/8000`;

const reply = (status: string, sdp: boolean) => `<send><![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]GoIP[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:goip@[local_ip]:[local_port];transport=[transport]>
${sdp ? `Content-Type: application/sdp\nContent-Length: [len]\n\n${SDP}` : 'Content-Length: 0\n'}
]]></send>`;

/**
 * A GSM port: the INVITE must ask for `dial` (the Request-URI's user, checked:
 * sipp fails otherwise); `answer` rings 1 s, answers, speaks sipp's
 * g711a.pcap and waits for the BYE; `busy` answers 503 as a GoIP whose
 * channel is taken; `quirky` is a gateway in "Alerted" answer mode: 183
 * without SDP, 200 OK 300 ms later while the GSM callee still rings (3 s of
 * no audio at all), then the callee's speech.
 */
export function portScenario(name: string, dial: string, kind: 'answer' | 'busy' | 'quirky'): string {
  const invited = `<recv request="INVITE" crlf="true"><action><ereg regexp="INVITE sip:${dial}@" search_in="msg" check_it="true" assign_to="ruri"/><log message="asked [$ruri]"/></action></recv>`;
  const body =
    kind === 'busy'
      ? `${invited}${reply('503 Service Unavailable', false)}<recv request="ACK"/>`
      : `${invited}${kind === 'quirky' ? `${reply('183 Session Progress', false)}<pause milliseconds="300"/>` : `${reply('180 Ringing', false)}<pause milliseconds="1000"/>`}${reply('200 OK', true).replace('<send>', '<send retrans="500">')}<recv request="ACK" crlf="true"/>${kind === 'quirky' ? '<pause milliseconds="3000"/>' : ''}<nop><action><exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/></action></nop><recv request="BYE" timeout="60000"/><send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`;
  const file = path.join(testOutputDir('integration', 'fmc'), `port-${name}-${process.pid}.xml`);
  writeFileSync(file, `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n<scenario name="${name}">\n${body}\n</scenario>\n`);
  return file;
}

/** sipp as one GoIP line (or a trunk-mode GoIP at `at`), handling `calls` calls (default 1). */
export async function startPort(scenario: string, o: { at?: number; calls?: number } = {}): Promise<ReturnType<typeof startProcess> & { port: number }> {
  const port = o.at ?? (await freePort());
  const dir = testOutputDir('integration', 'fmc');
  const args = ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(await freeLowUdpPorts()), '-t', 'u1', '-nostdin', '-timeout', '60s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, `line-${port}-errors.log`), '-m', String(o.calls ?? 1)];
  const p = startProcess('sipp', args, { logFile: path.join(dir, `line-${port}.log`), timeoutMs: 90_000 });
  return Object.assign(p, { port });
}
