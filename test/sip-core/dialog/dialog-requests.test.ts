import { describe, expect, it } from 'vitest';
import { Dialog, detach, dialogIdOf, type DialogInit } from '../../../services/sip-core/dialog/dialog';
import { DialogStore } from '../../../services/sip-core/dialog/dialog-store';
import { buildInDialog } from '../../../services/sip-core/dialog/dialog-requests';
import type { AppConnection } from '../../../services/sip-core/drachtio/app-connection';

const owner = {} as AppConnection;

function uacInit(routeSet: string[] = []): DialogInit {
  return {
    role: 'uac',
    kind: 'invite',
    callId: 'c1@host',
    localTag: 'lt',
    remoteTag: 'rt',
    localAddr: '<sip:alice@a.example>',
    remoteAddr: '"Bob" <sip:bob@b.example>',
    remoteTarget: 'sip:bob@192.0.2.4:5070',
    routeSet,
    localSeq: 10,
    localContact: '<sip:10.0.0.1:5060>',
    owner,
    inviteSeq: 10,
  };
}

const uacDialog = (routeSet: string[] = []) => new Dialog(uacInit(routeSet));

describe('Dialog ids and matching', () => {
  it('forms drachtio ids from the From tag of the creating request', () => {
    expect(uacDialog().id).toBe('c1@host;from-tag=lt');
    expect(dialogIdOf('x', 'y')).toBe('x;from-tag=y');
    const uas = new Dialog({ ...uacInit(), role: 'uas', localTag: 'mine', remoteTag: 'theirs', inviteSeq: 1 });
    expect(uas.id).toBe('c1@host;from-tag=theirs');
    expect(uas.remoteTarget).toBe('sip:bob@192.0.2.4:5070');
  });

  it('keeps its text as copies that hold on to nothing else', () => {
    const text = 'INVITE sip:bob@b.example SIP/2.0\r\nCall-ID: a-call-id-of-some-length@host\r\n';
    const callId = text.slice(text.indexOf('Call-ID: ') + 9, text.lastIndexOf('\r\n'));
    expect(detach(callId)).toBe(callId);
    expect(detach('short')).toBe('short');
    const d = new Dialog({ ...uacInit(['<sip:p1.example;lr>']), callId });
    expect(d.callId).toBe('a-call-id-of-some-length@host');
    expect(d.routeSet).toEqual(['<sip:p1.example;lr>']);
    d.remoteTarget = 'sip:bob@192.0.2.9';
    expect(d.remoteTarget).toBe('sip:bob@192.0.2.9');
  });

  it('matches incoming requests by Call-ID, our tag and the remote tag (RFC 3261 §12.2.2)', () => {
    const store = new DialogStore();
    const d = uacDialog();
    store.add(d);
    expect(store.matchIncoming('c1@host', 'lt', 'rt')).toBe(d);
    expect(store.matchIncoming('c1@host', 'lt', 'other')).toBeUndefined();
    expect(store.matchIncoming('c2@host', 'lt', 'rt')).toBeUndefined();
    store.remove(d);
    expect(store.size).toBe(0);
    expect(d.state).toBe('terminated');
  });
});

describe('buildInDialog (RFC 3261 §12.2.1.1)', () => {
  it('targets the remote target with From/To tags and the given CSeq', () => {
    const { req, hop } = buildInDialog(uacDialog(), 'BYE', 11);
    expect(req.uri).toBe('sip:bob@192.0.2.4:5070');
    expect(hop).toBe('sip:bob@192.0.2.4:5070');
    expect(req.get('from')).toBe('<sip:alice@a.example>;tag=lt');
    expect(req.get('to')).toBe('"Bob" <sip:bob@b.example>;tag=rt');
    expect(req.get('cseq')).toBe('11 BYE');
    expect(req.get('route')).toBeUndefined();
  });

  it('keeps a loose route set and sends to its first entry', () => {
    const { req, hop } = buildInDialog(uacDialog(['<sip:p1.example;lr>', '<sip:p2.example;lr>']), 'INFO', 12);
    expect(req.uri).toBe('sip:bob@192.0.2.4:5070');
    expect(req.getAll('route')).toEqual(['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
    expect(hop).toBe('sip:p1.example;lr');
  });

  it('puts a strict first route in the Request-URI and the remote target last', () => {
    const { req, hop } = buildInDialog(uacDialog(['<sip:strict.example>', '<sip:p2.example;lr>']), 'BYE', 12);
    expect(req.uri).toBe('sip:strict.example');
    expect(req.getAll('route')).toEqual(['<sip:p2.example;lr>', '<sip:bob@192.0.2.4:5070>']);
    expect(hop).toBe('sip:p2.example;lr');
  });
});
