/**
 * Prompt template v1 (seed `002_…` Runtime Pipeline step 5). A system part — the role, the
 * output contract (`action.ts`) and the risk rules — and a user part: the behavior prompt
 * chosen by `coverageMode`, the account, and the packet's sections as compact pipe-separated
 * tables. Tokens are estimated as ceil(characters / 4). Over the budget, sections lose their
 * oldest half of rows, lowest priority first (`TRIM_ORDER`), until the estimate fits or no
 * table is left; the system part and the behavior prompt are never trimmed. Deterministic.
 */
import { ACTION_CONTRACT_TEXT } from './action.ts';
import type { Cell, PacketData, PacketSection } from './packet.ts';

export const PROMPT_TEMPLATE_VERSION = 'prompt-v1';

export type CoverageMode = 'global' | 'global_with_asset_overrides' | 'asset_specific_only';

/** The trading prompt settings the template reads (a `trading_prompt` node's config). */
export interface PromptSettings {
  readonly customBehaviorPrompt: string;
  readonly coverageMode: CoverageMode;
  readonly assetOverrides: Readonly<Record<string, { readonly enabled: boolean; readonly customBehaviorPrompt: string }>>;
}

export interface RenderedPrompt {
  readonly templateVersion: string;
  readonly system: string;
  readonly user: string;
  readonly estimatedTokens: number;
  readonly budgetTokens: number;
  readonly sections: readonly { readonly name: string; readonly estimatedTokens: number; readonly trimmedRows: number }[];
}

/** Trim order, first trimmed first: Polymarket, DefiLlama, cross-asset reads, funding, indicators, the asset's candles, its context. */
export const TRIM_ORDER = ['polymarket', 'defillama', 'cross_asset', 'funding', 'indicators', 'candles', 'context'] as const;

export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Whether `coverageMode` gives `symbol` any instructions: `asset_specific_only` needs an enabled override. */
export function coversAsset(settings: PromptSettings, symbol: string): boolean {
  return settings.coverageMode !== 'asset_specific_only' || settings.assetOverrides[symbol]?.enabled === true;
}

/** The behavior text for `symbol`: the global prompt, the override appended, or the override alone (per `coverageMode`). */
export function behaviorOf(settings: PromptSettings, symbol: string): string {
  const override = settings.assetOverrides[symbol];
  const own = override?.enabled ? override.customBehaviorPrompt.trim() : '';
  if (settings.coverageMode === 'global') return settings.customBehaviorPrompt.trim();
  if (settings.coverageMode === 'asset_specific_only') return own;
  return own ? `${settings.customBehaviorPrompt.trim()}\n\nFor ${symbol} specifically:\n${own}` : settings.customBehaviorPrompt.trim();
}

function systemOf(symbol: string): string {
  return [
    `You are a trading clone deciding one action for ${symbol} on a paper-trading prop account (Clash of Clones).`,
    '',
    '## Output contract',
    ACTION_CONTRACT_TEXT,
    '',
    '## Risk rules (enforced after you answer; a breaking action is rejected, not resized)',
    `- Trade ${symbol} only; other assets in the context are information.`,
    "- Leverage at most the asset's maximum; opening needs free margin.",
    '- Daily loss limit, maximum drawdown and maximum position notional: stay within the headroom shown.',
    '- Reducing and closing are always allowed; when unsure, hold.',
  ].join('\n');
}

const cell = (c: Cell): string => (c === null ? '-' : typeof c === 'number' ? String(Number(c.toPrecision(6))) : c);

function rankOf(s: PacketSection, symbol: string): number {
  const kind =
    s.source === 'polymarket'
      ? 'polymarket'
      : s.source === 'defillama'
        ? 'defillama'
        : s.contextSymbol !== symbol
          ? 'cross_asset'
          : s.id.startsWith('hyperliquid.funding_rates.')
            ? 'funding'
            : s.id.startsWith('hyperliquid.ohlcv.')
              ? 'candles'
              : s.id.startsWith('hyperliquid.context.')
                ? 'context'
                : 'indicators';
  return TRIM_ORDER.indexOf(kind);
}

function table(s: PacketSection, rows: readonly (readonly Cell[])[]): string {
  return [`### ${s.id} (${rows.length} rows)`, s.columns.join('|'), ...rows.map((r) => r.map(cell).join('|'))].join('\n');
}

function accountText(data: PacketData): string {
  const a = data.account;
  if (!a) return '## Account\nNo prop account yet: positions none, equity unknown.';
  const positions = a.positions.map(
    (p) => `${p.asset}|${p.side}|${p.size}|${p.entryPrice}|${p.liquidationPrice ?? '-'}|${p.unrealizedPnlMicroUsd}`,
  );
  const headroom = Object.entries(a.headroomMicroUsd)
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  const l = a.ledger;
  return [
    '## Account',
    `equityMicroUsd=${a.equityMicroUsd} drawdownPpm=${a.drawdownPpm} openOrders=${a.openOrders} status=${a.status} updatedAt=${a.updatedAt}`,
    `ledgerMicroUsd: starting=${l.startingEquityMicroUsd} cash=${l.cashMicroUsd} realizedPnl=${l.realizedPnlMicroUsd} fees=${l.feesMicroUsd} funding=${l.fundingMicroUsd} marginUsed=${l.marginUsedMicroUsd} trades=${l.trades}`,
    `headroomMicroUsd: ${headroom.join(' ') || '-'}`,
    'asset|side|size|entryPrice|liquidationPrice|unrealizedPnlMicroUsd',
    ...positions,
    'recent fills: time|asset|side|size|price',
    ...a.recentFills.map((f) => `${f.time}|${f.asset}|${f.side}|${f.size}|${f.price}`),
  ].join('\n');
}

/** Renders `data` with `settings`, trimmed to `budgetTokens` as stated above. */
export function renderPrompt(data: PacketData, settings: PromptSettings, budgetTokens: number): RenderedPrompt {
  const system = systemOf(data.symbol);
  const behavior = behaviorOf(settings, data.symbol);
  const shown = data.sections.filter((s) => s.includeInPrompt);
  const rows = shown.map((s) => [...s.rows]);
  const trimmed = shown.map(() => 0);
  const trimQueue = shown.map((s, i) => ({ i, rank: rankOf(s, data.symbol) })).sort((a, b) => a.rank - b.rank || a.i - b.i);
  const userOf = () =>
    [
      `# Decision for ${data.symbol} at ${data.decisionTime}`,
      '## Instructions',
      behavior || '(none)',
      accountText(data),
      '## Market context (oldest first)',
      ...shown.map((s, i) => table(s, rows[i] ?? [])),
    ].join('\n\n');
  let user = userOf();
  while (estimateTokens(system) + estimateTokens(user) > budgetTokens) {
    const next = trimQueue.find(({ i }) => (rows[i]?.length ?? 0) > 0);
    if (!next) break;
    const r = rows[next.i] as Cell[][];
    const cut = Math.ceil(r.length / 2);
    r.splice(0, cut);
    trimmed[next.i] = (trimmed[next.i] ?? 0) + cut;
    user = userOf();
  }
  const sections = [
    { name: 'system', estimatedTokens: estimateTokens(system), trimmedRows: 0 },
    { name: 'instructions', estimatedTokens: estimateTokens(behavior), trimmedRows: 0 },
    { name: 'account', estimatedTokens: estimateTokens(accountText(data)), trimmedRows: 0 },
    ...shown.map((s, i) => ({ name: s.id, estimatedTokens: estimateTokens(table(s, rows[i] ?? [])), trimmedRows: trimmed[i] ?? 0 })),
  ];
  return {
    templateVersion: PROMPT_TEMPLATE_VERSION,
    system,
    user,
    estimatedTokens: estimateTokens(system) + estimateTokens(user),
    budgetTokens,
    sections,
  };
}
