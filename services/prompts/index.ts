// Prompts: uploaded audio, text to speech and music on hold, stored as G.711
// files rtpengine plays. The api builds the library to manage them;
// call-control resolves a prompt id to the file rtpengine plays with `resolvePlaybackFile`.
import type { Store } from '../store';
import { PromptLibrary, type G711Law } from './prompt-library';

export { PromptLibrary, defaultPromptLimits, type PromptLimits, type G711Law } from './prompt-library';
export { sniffAudio, type AudioContainer } from './sniff';
export { SpeechCache } from './speech-cache';

/**
 * The file to play for prompt `promptId` of `tenantId` (absolute path), or
 * undefined when the tenant has no such prompt or its file is missing.
 */
export function resolvePromptFile(store: Store, dataDir: string, tenantId: number, promptId: number, law: G711Law = 'alaw'): string | undefined {
  return new PromptLibrary(store, dataDir).resolve(tenantId, promptId, law);
}

/** What rtpengine should play for the prompt: its paced copy (paced.ts), else its A-law WAV; undefined as above. */
export function resolvePlaybackFile(store: Store, dataDir: string, tenantId: number, promptId: number): string | undefined {
  return new PromptLibrary(store, dataDir).playback(tenantId, promptId);
}
