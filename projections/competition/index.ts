/** Every competition read model, for the composition root. */
import { arenaProjection } from './arena.ts';
import { auditionsProjection } from './auditions.ts';
import { careersProjection } from './careers.ts';
import { racesProjection } from './races.ts';
import { settlementsProjection } from './settlements.ts';

export const competitionProjections = [auditionsProjection, arenaProjection, racesProjection, settlementsProjection, careersProjection];
