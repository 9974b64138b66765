// The ordered list of schema migrations. A released migration is never
// edited: a change is a new file appended here.
import type { Migration } from '../migrate';
import * as core from './0001-core';

export const migrations: readonly Migration[] = [
  { version: 1, name: '0001-core', up: core.up },
];
