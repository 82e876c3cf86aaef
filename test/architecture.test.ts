import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// The folder rules of doc/architecture.md, checked on the source: every relative import of
// every .ts file, resolved to its repository path.
const ROOT = process.cwd();

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(folder, f));
}

/** The repository paths a source file imports (relative imports only; packages are not ours). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => m[1] as string);
  return specifiers.map((s) => relative(ROOT, join(ROOT, dirname(file), s)));
}

/** Every `file -> import` edge from `folder` whose target starts with one of `forbidden`. */
function violations(folder: string, forbidden: readonly string[]): string[] {
  return sources(folder).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((f) => target.startsWith(f)))
      .map((target) => `${file} -> ${target}`),
  );
}

test('given the import scanner, when a file imports a forbidden folder, then it is reported', () => {
  assert.ok(importsOf('server/competition.ts').includes('projections/competition/queries.ts'));
  assert.equal(violations('server', ['projections/competition/queries.ts']).length > 0, true);
});

test('core imports nothing of ours outside core', () => {
  assert.equal(violations('core', ['commands/', 'projections/', 'adapters/', 'server/', 'replay/']), []);
});

test('commands never import the read side, the server or the CLI (they own ports instead)', () => {
  assert.equal(violations('commands', ['projections/', 'server/', 'replay/']), []);
});

test('projections and adapters never import the server or the CLI', () => {
  assert.equal(violations('projections', ['server/', 'replay/']), []);
  assert.equal(violations('adapters', ['commands/', 'projections/', 'server/', 'replay/']), []);
});

test('route modules never import the app that assembles them (both import server/route-module.ts)', () => {
  assert.equal(violations('server/routes', ['server/app.ts', 'server/serve.ts']), []);
});

test.run();
