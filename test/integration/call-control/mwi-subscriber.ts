// sipp as a phone's message-waiting subscriber (RFC 3842 over RFC 6665):
// SUBSCRIBE Event: message-summary, answers the 407 with digest (run with
// -au/-ap), then expects one NOTIFY per entry of `expect`, each body checked
// by a regular expression (check_it: a NOTIFY that does not match fails the
// run), answering each 200. Then a refresh in the dialog (a NOTIFY with the
// same state must follow) and an unsubscribe (Expires: 0, a terminated
// NOTIFY). `refused` instead expects that final status to the
// authenticated SUBSCRIBE and ends.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const FROM = 'From: <sip:[caller]@[remote_ip]>;tag=[pid]MWI[call_number]';

const subscribe = (cseq: number, auth: boolean, inDialog: boolean, expires: number) => `<send retrans="500"><![CDATA[
SUBSCRIBE ${inDialog ? '[next_url]' : 'sip:[service]@[remote_ip]:[remote_port]'} SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${FROM}
To: <sip:[service]@[remote_ip]>${inDialog ? ';tag=[$totag]' : ''}
Call-ID: [call_id]
CSeq: ${cseq} SUBSCRIBE
Contact: <sip:[caller]@[local_ip]:[local_port]>
Event: message-summary
Accept: application/simple-message-summary
Expires: ${expires}
${auth ? '[authentication]' : ''}
Max-Forwards: 70
Content-Length: 0

]]></send>`;

const ok = `<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`;

let n = 0;
const notify = (body: string, state: string) => {
  n++;
  return `<recv request="NOTIFY"><action>
  <ereg regexp="${body}" search_in="body" check_it="true" assign_to="b${n}"/>
  <ereg regexp="${state}" search_in="hdr" header="Subscription-State:" check_it="true" assign_to="s${n}"/>
  <log message="NOTIFY ${n}: [$b${n}] [$s${n}]"/>
</action></recv>
${ok}`;
};

export interface SubscriberPlan {
  /** Bodies expected in order while the subscription is active (POSIX extended regular expressions, `.` spans lines). */
  expect?: string[];
  /** The final status of the authenticated SUBSCRIBE when it must be refused. */
  refused?: number;
}

export function mwiSubscriberScenario(dir: string, name: string, plan: SubscriberPlan): string {
  const head = `${subscribe(1, false, false, 600)}<recv response="407" auth="true"/>${subscribe(2, true, false, 600)}`;
  const body = plan.refused
    ? `<recv response="${plan.refused}"/>`
    : [
        `<recv response="202" rrs="true"><action><ereg regexp="tag=([^;> \\r\\n]+)" search_in="hdr" header="To:" check_it="true" assign_to="to,totag"/><log message="202: [$to]"/></action></recv>`,
        ...(plan.expect ?? []).map((b) => notify(b, 'active;expires=[0-9]+')),
        // RFC 6665 §4.1.2.1: a refresh; the notifier answers 200 and NOTIFYs the (unchanged) state.
        subscribe(3, false, true, 900),
        `<recv response="200"/>`,
        notify((plan.expect ?? ['Messages-Waiting']).at(-1)!, 'active;expires=(900|8[0-9][0-9])'),
        // RFC 6665 §4.1.2.3: unsubscribe; a terminated NOTIFY follows.
        subscribe(4, false, true, 0),
        `<recv response="202"/>`,
        notify('Messages-Waiting', 'terminated'),
      ].join('\n');
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<scenario name="${name}">
${head}
${body}
</scenario>`;
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  return file;
}
