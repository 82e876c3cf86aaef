import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir, tracedWalletStore } from '../support/store.ts';

const dir = tempDir();

/** A store over a fresh wallet ledger whose connection records every statement it runs. */
function traced(name: string) {
  const { store, statements } = tracedWalletStore(dir.file(`${name}.db`));
  const savepoints = () => statements.filter((s) => s.startsWith('SAVEPOINT')).length;
  return { store, savepoints };
}

const opened = (walletId: string) => ({ type: 'WalletOpened', data: { walletId, owner: 'o', openedAt: 0 } });

test('Given an all-or-nothing transaction, When two appends run in it, Then neither opens a savepoint and both commit', () => {
  const { store, savepoints } = traced('bare');
  store.transaction(
    () => {
      store.append('wallet-a', [opened('a')]);
      store.append('wallet-b', [opened('b')]);
    },
    { allOrNothing: true },
  );
  assert.is(savepoints(), 0);
  assert.is(store.headPosition(), 2);
  // The same in an ordinary transaction: each append in its savepoint.
  store.transaction(() => {
    store.append('wallet-c', [opened('c')]);
    store.append('wallet-d', [opened('d')]);
  });
  assert.is(savepoints(), 2);
  store.close();
});

test('Given an all-or-nothing transaction, When an inline hook fails after the second append wrote its events, Then nothing of the transaction is in the file and the rollback is noted', () => {
  const { store } = traced('failing');
  store.append('wallet-a', [opened('a')]);
  store.onAppend((events) => {
    if (events.some((e) => e.streamId === 'wallet-c')) throw new Error('projection failed');
  });
  const rollbacks = store.rollbacks;
  assert.throws(
    () =>
      store.transaction(
        () => {
          store.append('wallet-b', [opened('b')]);
          store.append('wallet-c', [opened('c')]);
        },
        { allOrNothing: true },
      ),
    /projection failed/,
  );
  assert.is(store.headPosition(), 1);
  assert.equal(store.readStream('wallet-b'), []);
  assert.is(store.rollbacks, rollbacks + 1);
  assert.is(store.db.inTransaction, false);
  store.close();
});

test('Given an all-or-nothing transaction, When events carry client ids or it is nested in another, Then the appends keep their savepoints', () => {
  const { store, savepoints } = traced('kept');
  store.transaction(() => store.append('wallet-a', [{ ...opened('a'), id: '018f2b6c-0000-7000-8000-000000000001' }]), {
    allOrNothing: true,
  });
  assert.is(savepoints(), 1, 'a client id may make the append answer a duplicate and go on');
  store.transaction(() => store.transaction(() => store.append('wallet-b', [opened('b')]), { allOrNothing: true }));
  assert.is(savepoints(), 3, 'nested: the inner transaction and its append each in a savepoint');
  store.close();
});

test.after(() => dir.remove());
test.run();
