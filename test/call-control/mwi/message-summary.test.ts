// The message-summary package's pure parts: the NOTIFY body (RFC 3842 §5.2),
// the Event header's package name, and what a SUBSCRIBE's Expires asks for
// (RFC 6665 §4.2.1.1: default, minimum 423, shortened maximum, 0 = fetch/unsubscribe).
import { describe, expect, it } from 'vitest';
import { decideExpires, eventPackage, MAX_EXPIRES, MIN_EXPIRES, summaryBody } from '../../../services/call-control/mwi/message-summary';

describe('message-summary', () => {
  it('the body: yes with new messages, no without; new/old counts; CRLF lines', () => {
    expect(summaryBody({ newMessages: 2, oldMessages: 1 }, 'sip:202@bank.example')).toBe('Messages-Waiting: yes\r\nMessage-Account: sip:202@bank.example\r\nVoice-Message: 2/1 (0/0)\r\n');
    expect(summaryBody({ newMessages: 0, oldMessages: 3 }, 'sip:202@bank.example')).toBe('Messages-Waiting: no\r\nMessage-Account: sip:202@bank.example\r\nVoice-Message: 0/3 (0/0)\r\n');
  });

  it('the Event package: name only, case-insensitive, parameters dropped', () => {
    expect(eventPackage('Message-Summary;id=1')).toBe('message-summary');
    expect(eventPackage(' message-summary ')).toBe('message-summary');
    expect(eventPackage('presence')).toBe('presence');
    expect(eventPackage(undefined)).toBeUndefined();
    expect(eventPackage('')).toBeUndefined();
  });

  it('Expires: default, too brief, shortened, zero, garbage', () => {
    expect(decideExpires(undefined)).toEqual({ grant: 3600 });
    expect(decideExpires('600')).toEqual({ grant: 600 });
    expect(decideExpires(String(MIN_EXPIRES - 1))).toEqual({ tooBrief: true, min: MIN_EXPIRES });
    expect(decideExpires(String(MIN_EXPIRES))).toEqual({ grant: MIN_EXPIRES });
    expect(decideExpires('86400')).toEqual({ grant: MAX_EXPIRES });
    expect(decideExpires('0')).toEqual({ unsubscribe: true });
    expect(decideExpires('-5')).toEqual({ bad: 'Expires: expected seconds, got -5' });
    expect(decideExpires('soon')).toEqual({ bad: 'Expires: expected seconds, got soon' });
  });
});
