// Voicemail: boxes' PINs, message files (encrypted, never plain on disk) and
// the tone before recording. call-control leaves and plays messages; the api
// lists, streams and deletes them.
export { hashPin, verifyPin, PIN, LOCK_AFTER, LOCK_MINUTES } from './pin';
export { MessageStore, openVoicemailVault, VOICEMAIL_DIR, type NewVoicemail, type RecordedAudio } from './message-store';
export { ensureBeep, alawWav } from './beep';
export { wavFromG711, pcmOfWav, durationMsOf, SAMPLE_RATE } from './wav';
