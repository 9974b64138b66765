// The prompt picker of the call-flow forms: the English catalogue (the keys of ru-prompts.ts).
import type { ruPrompts } from './ru-prompts';

export const enPrompts: Record<keyof typeof ruPrompts, string> = {
  'promptPicker.none': '— no prompt —',
  'promptPicker.choose': '— choose a prompt —',
  'promptPicker.stop': 'Stop',
  'promptPicker.upload': 'Upload a file…',
  'promptPicker.tts': 'Speak a text…',
  'promptPicker.uploadSave': 'Upload and choose',
  'promptPicker.ttsSave': 'Create and choose',
  'promptPicker.ttsHint': 'The speech is made by espeak-ng on the server itself.',
  'promptPicker.greeting': 'Menu greeting',
  'promptPicker.invalid': 'Prompt for a wrong key',
  'promptPicker.timeout': 'Prompt when nothing is pressed',
  'promptPicker.announcement': 'Announcement prompt',
};
