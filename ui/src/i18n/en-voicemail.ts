// Voicemail: English catalogue (the keys of ru-voicemail.ts).
import type { ruVoicemail } from './ru-voicemail';

export const enVoicemail: Record<keyof typeof ruVoicemail, string> = {
  'nav.voicemail': 'Voicemail',
  'vm.title': 'Voicemail',
  'vm.audited': 'Every listen and download is written to the audit log.',
  'vm.none': 'No voicemail boxes.',
  'vm.box': 'Box {number}',
  'vm.counts': 'new: {new}, heard: {saved}',
  'vm.empty': 'No messages.',
  'vm.received': 'Received',
  'vm.caller': 'Caller',
  'vm.duration': 'Length',
  'vm.state': 'State',
  'vm.new': 'new',
  'vm.saved': 'heard',
  'vm.actions': 'Actions',
  'vm.play': 'Play',
  'vm.download': 'Download',
  'vm.delete': 'Delete',
  'vm.deleteConfirm': 'Delete the message from {caller}?',
  'vm.playFailed': 'The message could not be played',
};
