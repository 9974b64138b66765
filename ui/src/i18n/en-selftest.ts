// The hardware self-test (korobka selftest) on the licence page: English
// catalogue (the keys of ru-selftest.ts).
import type { ruSelftest } from './ru-selftest';

export const enSelftest: Record<keyof typeof ruSelftest, string> = {
  'st.title': 'What this server can carry',
  'st.never': 'The self-test has not run yet. Run on the server: korobka selftest (it loads the server for a few minutes).',
  'st.ranAt': 'Measured',
  'st.mode.quick': 'quick',
  'st.mode.full': 'full',
  'st.machine': 'Hardware',
  'st.machineValue': '{cpus} cores, {mem} GB, {model}',
  'st.setup': 'Call set-up with media',
  'st.setupValue': '{n} calls/s',
  'st.held': 'Concurrent calls with media',
  'st.conversion': 'Recordings conversion',
  'st.conversionValue': '{n} s of audio per second',
  'st.profile': 'Licence profile with margin',
  'st.profileNone': 'none (not even eval)',
  'st.margin': 'Margin: every figure at least 1.5 × what the profile needs.',
  'st.quickNote': 'A quick run offers eval-sized load only; for the full measure run korobka selftest without --quick.',
  'st.belowLicence': 'This server may not carry the licensed profile {profile} with margin.',
};
