/** The prop trading read models, in the order they are registered. */
import { propAccountsProjection } from './accounts.ts';
import { propJournalProjection } from './journal.ts';
import { propMarksProjection } from './marks.ts';
import { propOrdersProjection } from './orders.ts';
import { propPositionsProjection } from './positions.ts';
import { propProtectiveOrdersProjection } from './protective-orders.ts';
import { propRejectionsProjection } from './rejections.ts';

export const propTradingProjections = [
  propAccountsProjection,
  propPositionsProjection,
  propOrdersProjection,
  propRejectionsProjection,
  propJournalProjection,
  propMarksProjection,
  propProtectiveOrdersProjection,
];
