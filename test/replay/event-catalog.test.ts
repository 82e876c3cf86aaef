import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildCatalog, catalogMarkdown } from '../../replay/event-catalog.ts';
import { productComposition } from '../../server/composition.ts';

test('every registered event is declared by a module under commands/', async () => {
  const entries = await buildCatalog(productComposition);
  assert.is(entries.length, productComposition.events.length);
  assert.equal(
    entries.filter((e) => e.module === '(unknown)').map((e) => e.type),
    [],
  );
});

test('doc/event-catalog.md is up to date (regenerate: npm run -s clash -- events catalog > doc/event-catalog.md)', async () => {
  const expected = catalogMarkdown(await buildCatalog(productComposition));
  assert.fixture(readFileSync('doc/event-catalog.md', 'utf8'), expected);
});

test.run();
