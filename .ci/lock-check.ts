// The install check CI runs after `npm install`: the committed lock file is what was installed,
// allowing for the registry's drift in optional platform builds.
//
// Why not "the lock did not change": the registry these machines reach gains and lacks optional
// platform packages (biome for android, anvil for darwin, …) over time, so `npm install` adds or
// drops their entries while installing exactly the locked versions of everything that runs here.
// What must still fail: (a) package.json and the lock disagree; (b) any package that installs on
// this platform is at a version other than the committed lock's.
//
// Usage: node --import tsx .ci/lock-check.ts COMMITTED_LOCK [FRESH_LOCK] — FRESH_LOCK defaults to
// ./package-lock.json (the one `npm install` just wrote); package.json and node_modules are read
// from the working directory. Exit 0 when consistent, 1 with one line per problem otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One `packages` entry of a lockfileVersion 3 package-lock.json (the fields this check reads). */
export interface LockEntry {
  version?: string;
  optional?: boolean;
  link?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  [field: string]: unknown;
}

/** A package-lock.json, lockfileVersion 3. */
export interface Lock {
  packages?: Record<string, LockEntry>;
}

type Manifest = Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>;

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** An entry npm may add or drop as the registry's platform builds come and go. */
function isOptionalPlatformEntry(entry: LockEntry | undefined): boolean {
  return entry?.optional === true && (Array.isArray(entry.os) || Array.isArray(entry.cpu) || Array.isArray(entry.libc));
}

/**
 * Compare a committed lock with the lock `npm install` wrote and with what is installed.
 * `installedVersion(lockPath)` gives the version installed at a lock path such as
 * `node_modules/zod`, or undefined when nothing is installed there. Returns one line per
 * problem, none when the install matches the committed lock.
 */
export function lockProblems(input: {
  packageJson: Manifest;
  committed: Lock;
  fresh: Lock;
  installedVersion: (lockPath: string) => string | undefined;
}): string[] {
  const { packageJson, committed, fresh, installedVersion } = input;
  const problems: string[] = [];
  const root = (committed.packages?.[''] ?? {}) as Manifest;
  for (const field of DEPENDENCY_FIELDS) {
    const declared = packageJson[field] ?? {};
    const locked = root[field] ?? {};
    for (const name of new Set([...Object.keys(declared), ...Object.keys(locked)])) {
      if (declared[name] !== locked[name]) {
        problems.push(`${field}.${name}: package.json says ${declared[name] ?? 'nothing'}, the lock says ${locked[name] ?? 'nothing'}`);
      }
    }
  }
  const before = committed.packages ?? {};
  const after = fresh.packages ?? {};
  for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (path === '') continue;
    const was = before[path];
    const now = after[path];
    const installed = installedVersion(path);
    if (was === undefined) {
      if (!isOptionalPlatformEntry(now) || installed !== undefined) problems.push(`${path}: installed but not in the committed lock`);
      continue;
    }
    if (now === undefined) {
      if (!isOptionalPlatformEntry(was)) problems.push(`${path}: in the committed lock but dropped by npm install`);
      continue;
    }
    if (installed !== undefined && !was.link && installed !== was.version) {
      problems.push(`${path}: the lock says ${was.version}, ${installed} is installed`);
    } else if (now.version !== was.version && !was.link) {
      problems.push(`${path}: the lock says ${was.version}, npm install resolved ${now.version}`);
    }
  }
  return problems;
}

/** The version of the package installed at a lock path under `directory`, from its package.json. */
export function installedVersionIn(directory: string): (lockPath: string) => string | undefined {
  return (lockPath) => {
    const manifest = join(directory, lockPath, 'package.json');
    if (!existsSync(manifest)) return undefined;
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [committedPath, freshPath = 'package-lock.json'] = process.argv.slice(2);
  if (!committedPath) {
    console.error('usage: node --import tsx .ci/lock-check.ts COMMITTED_LOCK [FRESH_LOCK]');
    process.exit(2);
  }
  const read = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
  const problems = lockProblems({
    packageJson: read<Manifest>('package.json'),
    committed: read<Lock>(committedPath),
    fresh: read<Lock>(freshPath),
    installedVersion: installedVersionIn(process.cwd()),
  });
  for (const problem of problems) console.error(`lock: ${problem}`);
  if (problems.length > 0) {
    console.error('!! the install does not match package-lock.json (run npm install and commit the lock)');
    process.exit(1);
  }
  console.log('lock: the install matches package-lock.json');
}
