/**
 * The one owner-only file writer (core/private-file.ts): a new file is 0600 in a new 0700
 * folder, an existing file of another mode is replaced and made 0600, and `wx` refuses a file
 * that exists.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writePrivateFile } from '../../core/private-file.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir('clash-private-');
test.after(() => dir.remove());
const mode = (path: string) => statSync(path).mode & 0o777;

test('owner-only files: 0600 in a 0700 folder, an existing file made 0600, wx refuses an existing one', () => {
  // Given a folder that does not exist yet, When a secret is written there
  const file = dir.file('state.dev/secret.pem');
  writePrivateFile(file, 'one');
  // Then the folder and the file are its owner's only
  assert.equal([mode(dir.file('state.dev')), mode(file), readFileSync(file, 'utf8')], [0o700, 0o600, 'one']);
  // When a file readable by others is replaced: it is its owner's only again
  const open = dir.file('state.dev/open.json');
  writeFileSync(open, 'old', { mode: 0o644 });
  writePrivateFile(open, new TextEncoder().encode('new'));
  assert.equal([mode(open), readFileSync(open, 'utf8')], [0o600, 'new']);
  // When wx is asked of an existing file: refused, the file untouched
  assert.throws(() => writePrivateFile(file, 'two', 'wx'), /EEXIST/);
  assert.is(readFileSync(file, 'utf8'), 'one');
});

test.run();
