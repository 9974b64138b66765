// What the index and playback benchmark needs from TypeScript, bundled by index-playback.mjs.
export { openStore } from '../../services/store';
export { nextEntry, openKeyring, playback, fileSha256, Vault } from '../../services/recordings/index';
