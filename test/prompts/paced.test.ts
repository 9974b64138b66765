// The copy of a prompt rtpengine plays (services/prompts/paced.ts): made for
// every upload and spoken text, in 20 ms packets where the stored WAV comes
// out of its demuxer in 512 ms ones, with the very same A-law bytes; what
// call-control is given to play; gone with the prompt; and a prompt stored
// before copies existed still plays its WAV. Real ffmpeg and ffprobe.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromptLibrary, resolvePlaybackFile, resolvePromptFile } from '../../services/prompts';
import { wavData } from '../../services/prompts/sniff';
import { openStore, type Prompt, type Store } from '../../services/store';
import { tone } from '../helpers/prompt-audio';
import { tempDir } from '../helpers/tmp';

let data: { dir: string; cleanup: () => void };
let store: Store;
let lib: PromptLibrary;
let tenantId: number;
let upload: Prompt;

/** Each packet's duration in seconds as ffprobe's demuxer hands them out (what rtpengine's player paces by). */
const packetSeconds = (file: string) =>
  execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=duration_time', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
    timeout: 60_000,
  })
    .split('\n')
    .filter(Boolean)
    .map(Number);

beforeAll(async () => {
  data = tempDir('prompts-paced-');
  store = openStore(path.join(data.dir, 'korobka.db'));
  tenantId = store.tenants.create({ name: 'Bank', sipDomain: 'pbx.bank.ru' }).id;
  lib = new PromptLibrary(store, data.dir);
  upload = await lib.upload({
    tenantId,
    name: 'Меню',
    language: 'ru',
    kind: 'upload',
    data: tone(data.dir, 'menu.wav', 3, 440),
    createdBy: null,
  });
}, 60_000);

afterAll(() => {
  store?.close();
  data?.cleanup();
});

describe('the paced copy rtpengine plays', () => {
  it('is what call-control gets, beside the stored WAV', () => {
    const wav = resolvePromptFile(store, data.dir, tenantId, upload.id)!;
    expect(wav).toBe(path.join(data.dir, 'prompts', String(tenantId), `${upload.id}.alaw.wav`));
    expect(resolvePlaybackFile(store, data.dir, tenantId, upload.id)).toBe(
      path.join(data.dir, 'prompts', String(tenantId), `${upload.id}.alaw.mka`),
    );
    expect(resolvePlaybackFile(store, data.dir, tenantId + 1, upload.id)).toBeUndefined();
  });

  it('comes out in 20 ms packets where the WAV comes out in 512 ms ones', () => {
    const wav = resolvePromptFile(store, data.dir, tenantId, upload.id)!;
    expect(packetSeconds(wav)[0]).toBeCloseTo(0.512, 3);
    const paced = packetSeconds(resolvePlaybackFile(store, data.dir, tenantId, upload.id)!);
    expect(paced).toHaveLength(upload.durationMs / 20);
    expect(new Set(paced)).toEqual(new Set([0.02]));
  });

  it('holds the very same A-law bytes as the WAV', () => {
    const wav = resolvePromptFile(store, data.dir, tenantId, upload.id)!;
    const raw = execFileSync(
      'ffmpeg',
      ['-nostdin', '-v', 'error', '-i', resolvePlaybackFile(store, data.dir, tenantId, upload.id)!, '-c:a', 'copy', '-f', 'alaw', '-'],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(raw.length).toBe(24_000);
    expect(raw.equals(wavData(readFileSync(wav)))).toBe(true);
  });

  it('is made for a spoken text too', async () => {
    const spoken = await lib.tts({ tenantId, name: 'Привет', language: 'ru', text: 'Здравствуйте!', createdBy: null });
    const file = resolvePlaybackFile(store, data.dir, tenantId, spoken.id)!;
    expect(file).toMatch(/\.alaw\.mka$/);
    expect(Math.max(...packetSeconds(file))).toBeCloseTo(0.02, 3);
  }, 60_000);

  it('falls back to the WAV for a prompt stored without a copy, and goes with the prompt', async () => {
    const older = await lib.upload({
      tenantId,
      name: 'Старое',
      language: 'ru',
      kind: 'moh',
      data: tone(data.dir, 'old.wav', 1, 600),
      createdBy: null,
    });
    const paced = resolvePlaybackFile(store, data.dir, tenantId, older.id)!;
    rmSync(paced);
    expect(resolvePlaybackFile(store, data.dir, tenantId, older.id)).toBe(resolvePromptFile(store, data.dir, tenantId, older.id));
    const copy = resolvePlaybackFile(store, data.dir, tenantId, upload.id)!;
    lib.delete(upload);
    expect(existsSync(copy)).toBe(false);
    expect(resolvePlaybackFile(store, data.dir, tenantId, upload.id)).toBeUndefined();
  }, 60_000);
});
