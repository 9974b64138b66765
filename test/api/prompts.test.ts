// Prompts API: uploads decoded by a real ffmpeg into A-law and µ-law WAV
// files (measured: format, rate, duration, pitch), broken uploads refused
// with the field named and nothing left on disk, espeak-ng speech measured
// for length and loudness, the preview, renaming, deleting (refused while a
// call flow plays the prompt), RBAC and tenant isolation.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePromptFile } from '../../services/prompts';
import { pitchHz, readWav, rms, samplesOf, tone, voicedShare, wavInfo } from '../helpers/prompt-audio';
import { tempDir } from '../helpers/tmp';
import { startApi, type Client, type Harness } from './harness';

const b64 = (b: Buffer) => b.toString('base64');

let h: Harness;
let data: { dir: string; cleanup: () => void };
let fixtures: { dir: string; cleanup: () => void };
let admin: Client;
let tenantAdmin: Client;
let otherAdmin: Client;
let supervisor: Client;
let employee: Client;
let tenantId: number;
let otherTenant: number;
const audio: Record<string, Buffer> = {};

beforeAll(async () => {
  data = tempDir('prompts-data-');
  fixtures = tempDir('prompts-fix-');
  // Fixtures first: the clients' kept-alive sockets must not sit idle past
  // the server's keep-alive timeout before their first request.
  const f = fixtures.dir;
  audio.wav = tone(f, 'stereo.wav', 3, 440, ['-ac', '2']);
  audio.mp3 = tone(f, 'tone.mp3', 3, 440);
  audio.ogg = tone(f, 'tone.ogg', 3, 440, ['-c:a', 'libvorbis']);
  // 11 minutes at a telephone bitrate: small, but longer than the 10-minute limit.
  audio.long = tone(f, 'long.mp3', 660, 440, ['-ar', '8000', '-ac', '1', '-b:a', '8k']);
  h = await startApi({ dataDir: data.dir });
  tenantId = h.store.tenants.create({ name: 'Bank', sipDomain: 'pbx.bank.ru' }).id;
  otherTenant = h.store.tenants.create({ name: 'Other', sipDomain: 'other.ru' }).id;
  admin = (await h.as('superadmin', null)).client;
  tenantAdmin = (await h.as('tenant-admin', tenantId)).client;
  otherAdmin = (await h.as('tenant-admin', otherTenant)).client;
  supervisor = (await h.as('supervisor', tenantId)).client;
  employee = (await h.as('employee', tenantId)).client;
}, 120_000);
afterAll(async () => {
  await h.close();
  data.cleanup();
  fixtures.cleanup();
});

const tenantFiles = (t: number) => {
  const dir = path.join(data.dir, 'prompts', String(t));
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

async function upload(c: Client, name: string, file: Buffer, extra: Record<string, unknown> = {}) {
  return c.request('POST', '/api/prompts/upload', { name, language: 'ru', filename: `${name}.bin`, data: b64(file), ...extra });
}

describe('POST /api/prompts/upload', () => {
  for (const kind of ['wav', 'mp3', 'ogg'] as const) {
    it(`decodes a ${kind.toUpperCase()} into 8 kHz mono A-law and µ-law WAV files of the same length and pitch`, async () => {
      const r = await upload(tenantAdmin, `tone-${kind}`, audio[kind]!);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const p = r.body.prompt;
      expect(p).toMatchObject({ tenantId, name: `tone-${kind}`, language: 'ru', kind: 'upload', source: kind, sizeBytes: audio[kind]!.length, text: null });
      expect(p.alawPath).toBeUndefined();
      // MP3 encoders pad a frame or two at each end.
      expect(p.durationMs).toBeGreaterThanOrEqual(2990);
      expect(p.durationMs).toBeLessThanOrEqual(3100);
      const files = { alaw: resolvePromptFile(h.store, data.dir, tenantId, p.id, 'alaw')!, ulaw: resolvePromptFile(h.store, data.dir, tenantId, p.id, 'ulaw')! };
      expect(files.alaw).toBe(path.join(data.dir, 'prompts', String(tenantId), `${p.id}.alaw.wav`));
      for (const [law, tag] of [['alaw', 6], ['ulaw', 7]] as const) {
        const wav = readWav(files[law]);
        expect(wavInfo(wav), law).toMatchObject({ formatTag: tag, channels: 1, sampleRate: 8000, bitsPerSample: 8, samples: p.durationMs * 8 });
        const s = samplesOf(wav);
        expect(pitchHz(s)).toBeGreaterThan(430);
        expect(pitchHz(s)).toBeLessThan(450);
      }
      expect(h.store.audit.list({ action: 'prompt.upload' }).rows[0]).toMatchObject({ tenantId, target: `prompt:${p.id}`, outcome: 'ok' });
    });
  }

  it('trusts the bytes, not the name: an MP3 called .wav is stored as MP3; music on hold is a kind', async () => {
    const r = await upload(tenantAdmin, 'hold music', audio.mp3!, { filename: 'music.wav', kind: 'moh', language: 'en' });
    expect(r.status).toBe(201);
    expect(r.body.prompt).toMatchObject({ source: 'mp3', kind: 'moh', language: 'en' });
  });

  const refusals: [string, () => Buffer, string, RegExp][] = [
    ['a PNG image', () => Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'prompt-type-not-allowed', /only WAV, MP3 and OGG/],
    ['plain text named .mp3', () => Buffer.from('this is not audio at all, just words'), 'prompt-type-not-allowed', /only WAV, MP3 and OGG/],
    ['a WAV cut short (header promises more)', () => audio.wav!.subarray(0, 100_000), 'prompt-audio-broken', /cut short/],
    ['an MP3 cut in half', () => audio.mp3!.subarray(0, audio.mp3!.length >> 1), 'prompt-audio-broken', /cut short/],
    ['an Ogg cut mid-page', () => audio.ogg!.subarray(0, audio.ogg!.length >> 1), 'prompt-audio-broken', /damaged/],
    ['an MP3 frame header followed by noise', () => Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(3000, 0x5a)]), 'prompt-audio-broken', /damaged/],
    ['a RIFF/WAVE header without audio', () => Buffer.concat([Buffer.from('RIFF'), Buffer.from([4, 0, 0, 0]), Buffer.from('WAVE')]), 'prompt-audio-broken', /no data chunk/],
    ['11 minutes of audio', () => audio.long!, 'prompt-too-long', /at most 600 s/],
    ['a file over 10 MB', () => Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(10 * 1024 * 1024)]), 'prompt-too-large', /at most 10 MB/],
  ];
  for (const [what, file, code, message] of refusals) {
    it(`refuses ${what} (${code}), naming data, storing nothing`, async () => {
      const before = { rows: h.store.prompts.list(tenantId).length, files: tenantFiles(tenantId) };
      const r = await upload(tenantAdmin, `bad ${what}`, file());
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body).toMatchObject({ code, details: { field: 'data' } });
      expect(r.body.message).toMatch(/^data: /);
      expect(r.body.message).toMatch(message);
      expect(r.body.message).not.toContain(data.dir);
      expect(h.store.prompts.list(tenantId).length).toBe(before.rows);
      expect(tenantFiles(tenantId)).toEqual(before.files);
      expect(h.store.audit.list({ action: 'prompt.upload' }).rows[0]).toMatchObject({ outcome: 'failed', details: { code } });
    });
  }

  it('refuses bad fields, each named', async () => {
    const r = await tenantAdmin.request('POST', '/api/prompts/upload', { name: '', language: 'de', kind: 'song', data: 'not base64!' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation-failed');
    expect(r.body.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['data', 'kind', 'language', 'name']);
  });

  it('refuses a name already taken in the tenant before decoding, and nothing is stored', async () => {
    const r = await upload(tenantAdmin, 'tone-wav', audio.wav!);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'prompt-exists', details: { field: 'name' } });
  });

  it('a superadmin names the tenant; without one the field is named', async () => {
    const none = await upload(admin, 'x', audio.wav!);
    expect(none.status).toBe(400);
    expect(none.body.details.fields[0].field).toBe('tenantId');
    const ok = await upload(admin, 'other tone', audio.wav!, { tenantId: otherTenant });
    expect(ok.status).toBe(201);
    expect(ok.body.prompt.tenantId).toBe(otherTenant);
  });

  it('refuses a supervisor and an employee', async () => {
    for (const c of [supervisor, employee]) {
      const r = await upload(c, 'nope', audio.wav!);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('forbidden');
    }
    expect(h.store.prompts.list(tenantId).some((p) => p.name === 'nope')).toBe(false);
  });
});

describe('POST /api/prompts/tts', () => {
  const speech: [string, 'ru' | 'en', string][] = [
    ['Russian', 'ru', 'Здравствуйте! Вы позвонили в компанию Коробка. Для связи с отделом продаж нажмите один.'],
    ['English', 'en', 'Hello! You have reached Korobka. For sales, press one.'],
  ];
  for (const [what, language, text] of speech) {
    it(`speaks ${what}: a non-silent file of plausible length, measured`, async () => {
      const r = await tenantAdmin.request('POST', '/api/prompts/tts', { name: `greeting-${language}`, language, text });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const p = r.body.prompt;
      expect(p).toMatchObject({ kind: 'tts', source: 'espeak-ng', language, text });
      // At 150 words a minute the sentence takes seconds, not milliseconds or minutes.
      const words = text.split(/\s+/).length;
      expect(p.durationMs).toBeGreaterThan(words * 200);
      expect(p.durationMs).toBeLessThan(words * 1000);
      const s = samplesOf(readWav(resolvePromptFile(h.store, data.dir, tenantId, p.id, 'ulaw')!));
      expect(Math.abs(s.length - p.durationMs * 8)).toBeLessThanOrEqual(4);
      expect(rms(s)).toBeGreaterThan(1000);
      expect(voicedShare(s)).toBeGreaterThan(0.4);
      expect(h.store.audit.list({ action: 'prompt.tts' }).rows[0]).toMatchObject({ target: `prompt:${p.id}`, details: { language, chars: text.length } });
    });
  }

  it('refuses empty, wordless or over-long text, naming the field; nothing stored', async () => {
    const before = tenantFiles(tenantId);
    for (const text of ['', '   ', '12345 !!!', 'а'.repeat(1001)]) {
      const r = await tenantAdmin.request('POST', '/api/prompts/tts', { name: 'bad tts', language: 'ru', text });
      expect(r.status, text.slice(0, 10)).toBe(400);
      expect(r.body.details.fields[0].field).toBe('text');
    }
    const r = await tenantAdmin.request('POST', '/api/prompts/tts', { name: 'bad tts', language: 'fr', text: 'Bonjour' });
    expect(r.body.details.fields[0]).toMatchObject({ field: 'language', message: 'must be ru or en' });
    expect(tenantFiles(tenantId)).toEqual(before);
    expect(h.store.prompts.list(tenantId).some((p) => p.name === 'bad tts')).toBe(false);
  });

  it('refuses a supervisor', async () => {
    const r = await supervisor.request('POST', '/api/prompts/tts', { name: 'x', language: 'ru', text: 'Привет' });
    expect(r.status).toBe(403);
  });
});

describe('listing, preview, rename, delete', () => {
  const byName = (name: string) => h.store.prompts.list().find((p) => p.name === name)!;

  it('lists the tenant\'s prompts with durations and limits; a supervisor reads, an employee is refused; other tenants stay out', async () => {
    const r = await supervisor.request('GET', '/api/prompts');
    expect(r.status).toBe(200);
    expect(r.body.limits).toEqual({ maxBytes: 10 * 1024 * 1024, maxSeconds: 600, ttsMaxChars: 1000 });
    expect(r.body.prompts.every((p: { tenantId: number }) => p.tenantId === tenantId)).toBe(true);
    expect(r.body.prompts.map((p: { name: string }) => p.name)).toContain('greeting-ru');
    expect(r.body.prompts.find((p: { name: string }) => p.name === 'tone-wav').durationMs).toBe(3000);
    expect((await employee.request('GET', '/api/prompts')).status).toBe(403);
    const other = await otherAdmin.request('GET', '/api/prompts');
    expect(other.body.prompts.map((p: { name: string }) => p.name)).toEqual(['other tone']);
  });

  it('previews as 16-bit PCM WAV a browser plays; another tenant\'s prompt and a missing one are not found', async () => {
    const p = byName('tone-ogg');
    const r = await supervisor.request('GET', `/api/prompts/${p.id}/audio`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('audio/wav');
    const raw = r.raw;
    expect(wavInfo(raw)).toEqual({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, samples: p.durationMs * 8 });
    expect(pitchHz(samplesOf(raw))).toBeGreaterThan(430);
    for (const [c, url, code] of [
      [otherAdmin, `/api/prompts/${p.id}/audio`, 'prompt-not-found'],
      [tenantAdmin, '/api/prompts/99999/audio', 'prompt-not-found'],
      [tenantAdmin, '/api/prompts/abc', 'prompt-not-found'],
    ] as const) {
      const nf = await c.request('GET', url);
      expect(nf.status).toBe(404);
      expect(nf.body.code).toBe(code);
    }
    expect((await employee.request('GET', `/api/prompts/${p.id}/audio`)).status).toBe(403);
  });

  it('renames, audited; a taken or empty name is refused with the field named', async () => {
    const p = byName('tone-mp3');
    const r = await tenantAdmin.request('PATCH', `/api/prompts/${p.id}`, { name: 'Приветствие' });
    expect(r.status).toBe(200);
    expect(r.body.prompt.name).toBe('Приветствие');
    expect(h.store.audit.list({ action: 'prompt.rename' }).rows[0]).toMatchObject({ details: { from: 'tone-mp3', to: 'Приветствие' } });
    const taken = await tenantAdmin.request('PATCH', `/api/prompts/${p.id}`, { name: 'tone-wav' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'prompt-exists', details: { field: 'name' } });
    const empty = await tenantAdmin.request('PATCH', `/api/prompts/${p.id}`, { name: ' ' });
    expect(empty.body.details.fields[0].field).toBe('name');
    expect((await otherAdmin.request('PATCH', `/api/prompts/${p.id}`, { name: 'stolen' })).status).toBe(404);
    expect((await supervisor.request('PATCH', `/api/prompts/${p.id}`, { name: 'x' })).status).toBe(403);
  });

  it('refuses to delete a prompt a call flow plays (prompt-in-use, files kept), then deletes it with its files', async () => {
    const p = byName('tone-wav');
    const files = [path.join(data.dir, p.alawPath), path.join(data.dir, p.ulawPath)];
    h.store.prompts.addUsageCheck((x) => (x.id === p.id ? [{ type: 'ivr', id: 7, name: 'Главное меню' }] : []));
    const r = await tenantAdmin.request('DELETE', `/api/prompts/${p.id}`);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'prompt-in-use', details: { uses: [{ type: 'ivr', id: 7, name: 'Главное меню' }] } });
    expect(r.body.message).toBe('prompt "tone-wav" is played by Главное меню; change those first');
    expect(files.every(existsSync)).toBe(true);
    expect(h.store.audit.list({ action: 'prompt.delete' }).rows[0]).toMatchObject({ outcome: 'failed', details: { code: 'prompt-in-use' } });

    // An announcement saved through the call-flow api holds the prompt the same way.
    const speech = byName('greeting-en');
    const ann = await tenantAdmin.request('POST', '/api/announcements', { name: 'Closed', prompt: speech.id });
    expect(ann.status, JSON.stringify(ann.body)).toBe(201);
    const held = await tenantAdmin.request('DELETE', `/api/prompts/${speech.id}`);
    expect(held.status).toBe(409);
    expect(held.body).toMatchObject({ code: 'prompt-in-use', message: "prompt \"greeting-en\" is played by announcement 'Closed' prompt; change those first" });
    expect(existsSync(path.join(data.dir, speech.alawPath))).toBe(true);

    const q = byName('tone-ogg');
    expect((await otherAdmin.request('DELETE', `/api/prompts/${q.id}`)).status).toBe(404);
    expect((await supervisor.request('DELETE', `/api/prompts/${q.id}`)).status).toBe(403);
    const gone = await tenantAdmin.request('DELETE', `/api/prompts/${q.id}`);
    expect(gone.status).toBe(204);
    expect(existsSync(path.join(data.dir, q.alawPath))).toBe(false);
    expect(existsSync(path.join(data.dir, q.ulawPath))).toBe(false);
    expect(resolvePromptFile(h.store, data.dir, tenantId, q.id)).toBeUndefined();
    expect(h.store.audit.list({ action: 'prompt.delete' }).rows[0]).toMatchObject({ outcome: 'ok', target: `prompt:${q.id}` });
    expect((await tenantAdmin.request('DELETE', `/api/prompts/${q.id}`)).status).toBe(404);
  });

  it('resolves a prompt only within its tenant', () => {
    const p = byName('greeting-ru');
    expect(resolvePromptFile(h.store, data.dir, tenantId, p.id)).toMatch(/\.alaw\.wav$/);
    expect(resolvePromptFile(h.store, data.dir, otherTenant, p.id)).toBeUndefined();
  });

  it('leaves no staging files behind', () => {
    expect(tenantFiles(tenantId).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });
});
