// Text to speech on the box with espeak-ng (Debian main). Why espeak-ng:
// it is the only Debian-packaged engine here with a maintained Russian voice
// (festival's festvox-ru is a 2000s diphone voice and RHVoice is not in
// Debian's main archive), it is small (a few MB, no models to download), and
// it renders a sentence in milliseconds on one core. The voice is robotic but
// clear on a phone line. The text goes in on stdin, never as an argument,
// and without -m markup is not interpreted.
import type { PromptLanguage } from '../store';
import { toolMissing, ttsFailed } from './errors';
import { runTool } from './run-tool';

const VOICES: Record<PromptLanguage, string> = { ru: 'ru', en: 'en-us' };
/** Words a minute: a little slower than espeak's 175 so menus are easy to follow. */
const RATE = '150';

export async function synthesize(text: string, language: PromptLanguage, outWav: string, timeoutMs: number): Promise<void> {
  let r;
  try {
    r = await runTool('espeak-ng', ['-v', VOICES[language], '-s', RATE, '-w', outWav, '--stdin'], { input: text, timeoutMs });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw toolMissing('espeak-ng');
    throw e;
  }
  if (r.timedOut) throw ttsFailed(`espeak-ng did not finish within ${timeoutMs / 1000} s`);
  if (r.code !== 0) throw ttsFailed(r.stderr.trim().split('\n')[0] ?? `exit code ${r.code}`);
}
