import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installedVersionIn, type Lock, type LockEntry, lockProblems } from '../../.ci/lock-check.ts';

// The install check of `.ci/run`, run on copies of the real lock against the real node_modules:
// the registry's drift in optional platform builds passes, a real version drift does not.
const packageJson = JSON.parse(readFileSync('package.json', 'utf8'));
const lock = (): Lock => JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock;
const installedVersion = installedVersionIn(process.cwd());
const entries = (l: Lock): Record<string, LockEntry> => l.packages ?? {};

/** A lock path of an optional platform build that is not installed on this machine. */
function uninstalledPlatformEntry(l: Lock): string {
  const path = Object.keys(entries(l)).find((p) => entries(l)[p]?.optional && entries(l)[p]?.os && installedVersion(p) === undefined);
  if (!path) throw new Error('the lock has no optional platform build foreign to this machine');
  return path;
}

test('given the committed lock, when nothing drifted, then the install passes', () => {
  assert.equal(lockProblems({ packageJson, committed: lock(), fresh: lock(), installedVersion }), []);
});

test('given the registry now serves one more optional platform build, then the install passes', () => {
  const fresh = lock();
  entries(fresh)['node_modules/@biomejs/cli-plan9-x64'] = { version: '2.6.8', optional: true, os: ['plan9'], cpu: ['x64'] };
  assert.equal(lockProblems({ packageJson, committed: lock(), fresh, installedVersion }), []);
});

test('given the registry no longer serves one optional platform build, then the install passes', () => {
  const fresh = lock();
  delete entries(fresh)[uninstalledPlatformEntry(fresh)];
  assert.equal(lockProblems({ packageJson, committed: lock(), fresh, installedVersion }), []);
});

test('given a changed version of an installed package, then the install fails naming it', () => {
  const committed = lock();
  const zod = entries(committed)['node_modules/zod'];
  assert.ok(zod && installedVersion('node_modules/zod') === zod.version);
  zod.version = '3.0.0';
  const problems = lockProblems({ packageJson, committed, fresh: lock(), installedVersion });
  assert.ok(
    problems.some((p) => p.startsWith('node_modules/zod:')),
    problems.join('\n'),
  );
});

test('given package.json and the lock disagree, then the install fails naming the dependency', () => {
  const drifted = { ...packageJson, dependencies: { ...packageJson.dependencies, zod: '^5.0.0' } };
  const problems = lockProblems({ packageJson: drifted, committed: lock(), fresh: lock(), installedVersion });
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^dependencies\.zod:/);
});

test('given an installed package the committed lock lacks, then the install fails', () => {
  const committed = lock();
  delete entries(committed)['node_modules/zod'];
  const problems = lockProblems({ packageJson, committed, fresh: lock(), installedVersion });
  assert.ok(
    problems.some((p) => p.startsWith('node_modules/zod:')),
    problems.join('\n'),
  );
});

test.run();
