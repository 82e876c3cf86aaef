/**
 * The competition queries and the public profile lookup prepare each statement once per
 * connection (core/statements.ts; issue 17: a `db.prepare` per call was 6.7 % of an Arena read).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publicProfileOf } from '../../projections/clones/profiles.ts';
import { CompetitionQueries } from '../../projections/competition/queries.ts';
import { openLedger } from '../../server/context.ts';
import { countPrepares } from '../support/prepares.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir();

test('Given the Arena read’s queries, When they run again, Then nothing is prepared again and the answers are the same', () => {
  const ledger = openLedger({ dbPath: dir.file('competition.db'), synchronous: 'NORMAL' });
  const db = ledger.store.db;
  const prepared = countPrepares(db);
  const queries = new CompetitionQueries(db);
  const round = () => ({
    slots: queries.slots(),
    queue: queries.queue(),
    races: queries.races(10),
    accumulating: queries.racesAt('accumulating'),
    profile: publicProfileOf(db, 'clone-1') ?? null,
  });
  const first = round();
  const afterFirst = prepared();
  assert.ok(afterFirst > 0, 'the first round prepares its statements');
  for (let i = 0; i < 3; i++) assert.equal(round(), first);
  assert.is(prepared(), afterFirst, 'later rounds prepare nothing');
  ledger.close();
});

test.run();
