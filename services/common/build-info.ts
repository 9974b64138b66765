// Set by scripts/build.mjs (esbuild `define`); absent when running from
// source (tests), which counts as a development build.
declare const __KOROBKA_RELEASE__: boolean | undefined;

export const RELEASE_BUILD: boolean = typeof __KOROBKA_RELEASE__ !== 'undefined' && __KOROBKA_RELEASE__ === true;
