// The api answers in English; the messages it is known to send get a
// catalogue key so a Russian admin reads Russian. Anything else is shown
// as the server sent it, never hidden.
import type { MessageKey } from '../i18n';

const known: Record<string, MessageKey> = {
  required: 'srv.required',
  'is wrong': 'srv.isWrong',
  'must be at least 10 characters': 'srv.passwordTooShort',
  'must be at most 200 characters': 'srv.tooLong',
  'must not contain the user name': 'srv.passwordHasUsername',
  'is too simple': 'srv.passwordTooSimple',
  'must differ from the current password': 'srv.passwordSame',
  'must be a domain name like pbx.example.ru': 'srv.sipDomain',
  'must be 3–64 characters': 'srv.usernameLength',
  'may contain letters, digits and . _ @ - only': 'srv.usernameChars',
  'at most 200 characters': 'srv.tooLong',
  'wrong user name or password': 'error.invalid-credentials',
  'must be a colour like #1f4e8c': 'srv.color',
  'must be an https:// or http:// address': 'srv.url',
  'text on this colour is unreadable': 'srv.contrast',
};

export function serverMessageKey(message: string): MessageKey | undefined {
  if (known[message]) return known[message];
  if (/^SIP domain .* belongs to another tenant$/.test(message)) return 'srv.sipDomainTaken';
  if (/^user name .* is taken$/.test(message)) return 'srv.usernameTaken';
  if (/^contrast \S+ is below 4\.5:1/.test(message)) return 'srv.contrast';
  return undefined;
}
