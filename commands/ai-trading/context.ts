/**
 * The decision context of one asset at T: the packet's rows read at T, the prompt rendered
 * from them within the plan's budget, and the digest over both (packet.ts, prompt.ts).
 */
import { type ContextPacket, type PacketSubject, packetDigest, readPacketData } from './packet.ts';
import type { AccountAsOf, MarketAsOf } from './ports.ts';
import { type PromptSettings, type RenderedPrompt, renderPrompt } from './prompt.ts';
import type { AssetReadPlan } from './read-plan.ts';

export interface DecisionContext {
  readonly packet: ContextPacket;
  readonly prompt: RenderedPrompt;
}

/** Builds the packet and the prompt of `plan.symbol` at `at` (ms). Same inputs, same bytes, same digest. */
export function decisionContextOf(
  subject: PacketSubject,
  plan: AssetReadPlan,
  settings: PromptSettings,
  at: number,
  market: MarketAsOf,
  accounts: AccountAsOf,
): DecisionContext {
  const data = readPacketData(subject, plan, at, market, accounts);
  const prompt = renderPrompt(data, settings, plan.promptBudgetTokens);
  const withPrompt = {
    ...data,
    prompt: { templateVersion: prompt.templateVersion, estimatedTokens: prompt.estimatedTokens, sections: prompt.sections },
  };
  return { packet: { ...withPrompt, digest: packetDigest(withPrompt) }, prompt };
}
