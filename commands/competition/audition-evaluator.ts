/**
 * The audition evaluator, one round at the worker's time: each running audition's account is
 * marked to market through Prop Trading (when it holds positions, so a breach shows at once)
 * and judged on its figures from Prop Trading's read models. An account that can no longer be
 * marked (liquidated, closed) is judged on the figures it has; one that cannot be marked for
 * want of a fresh price waits for the next round.
 */
import { DomainError } from '../../core/errors.ts';
import { type Competition, WORKER_ACTOR } from './handlers.ts';

export interface EvaluationRound {
  readonly evaluated: number;
  /** Auditions left for the next round, with the reason. */
  readonly waiting: { auditionId: string; reason: string }[];
}

export function evaluateAuditions(c: Competition): EvaluationRound {
  const waiting: EvaluationRound['waiting'] = [];
  let evaluated = 0;
  for (const a of c.deps.queries.auditionsWithStatus('running')) {
    const propAccountId = a.propAccountId as string;
    const account = c.prop.state(propAccountId);
    if (Object.keys(account.positions).length > 0 && (account.status === 'active' || account.status === 'frozen')) {
      try {
        c.prop.markToMarket(propAccountId, WORKER_ACTOR);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        waiting.push({ auditionId: a.auditionId, reason: error.code });
        continue;
      }
    }
    const figures = c.deps.facts.auditionFigures(propAccountId);
    if (!figures) {
      waiting.push({ auditionId: a.auditionId, reason: 'account_not_found' });
      continue;
    }
    c.audition({ type: 'EvaluateAudition', auditionId: a.auditionId, propAccountId, figures }, WORKER_ACTOR);
    evaluated += 1;
  }
  return { evaluated, waiting };
}
