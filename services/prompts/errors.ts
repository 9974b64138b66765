// Refusals of a prompt's audio; each names the field that carried it.
import { AppError } from '../common/errors';

const field = (name: string) => ({ field: name });

export const promptTooLarge = (limitBytes: number) =>
  new AppError(400, 'prompt-too-large', `data: the file must be at most ${Math.round(limitBytes / 1024 / 1024)} MB`, { ...field('data'), limitBytes });
export const promptEmpty = () => new AppError(400, 'prompt-audio-broken', 'data: the file is empty', field('data'));
export const promptTypeNotAllowed = () => new AppError(400, 'prompt-type-not-allowed', 'data: only WAV, MP3 and OGG audio files are accepted', field('data'));
export const promptBroken = (why: string) => new AppError(400, 'prompt-audio-broken', `data: the audio file is damaged or unreadable: ${why}`, field('data'));
export const promptTooLong = (seconds: number, limitSeconds: number, what = 'data') =>
  new AppError(400, 'prompt-too-long', `${what}: the audio lasts ${seconds.toFixed(1)} s, at most ${limitSeconds} s is allowed`, { ...field(what), limitSeconds });
export const ttsFailed = (why: string) => new AppError(500, 'tts-failed', `text: speech synthesis failed: ${why}`, field('text'));
export const toolMissing = (tool: string) => new AppError(503, 'prompt-tool-missing', `${tool} is not installed on this server; run install.sh again`, { tool });
