/** The `clash` command line: operator and audit commands over the ledger file. */
import { ClashError } from '../core/errors.ts';
import { type Composition, productComposition } from '../server/composition.ts';
import { apiReference } from './cli/api.ts';
import { auditRace } from './cli/audit.ts';
import { backtestRun } from './cli/backtest.ts';
import { backtestReport } from './cli/backtest-report.ts';
import { backupCommand, backupDrill } from './cli/backup.ts';
import { type CliCommand, parseCommandArgs, UsageError } from './cli/command.ts';
import { deadLettersDiscard, deadLettersList, deadLettersRetry, deadLettersShow } from './cli/dead-letters.ts';
import {
  decisionsDeadLettersDiscard,
  decisionsDeadLettersList,
  decisionsDeadLettersRetry,
  decisionsPause,
  decisionsPauses,
  decisionsResume,
  decisionsRunOnce,
} from './cli/decisions.ts';
import { economyReconcile } from './cli/economy.ts';
import { eventsCatalog, eventsStats, eventsStream, eventsTail } from './cli/events.ts';
import { ingestBackfill, ingestStatus } from './cli/ingest.ts';
import { ledgerCheckpoint, ledgerProve, ledgerRotateKey, ledgerVerify } from './cli/ledger.ts';
import { marketImport, marketShow } from './cli/market.ts';
import { marketArchiveList, marketArchiveRestore } from './cli/market-archive.ts';
import { createOutput, processSinks, type Sinks } from './cli/output.ts';
import { projectionsRebuild, projectionsStatus, projectionsVerify } from './cli/projections.ts';
import { propShow } from './cli/prop.ts';
import { raceShow } from './cli/race.ts';
import { replayCommand } from './cli/replay-to.ts';
import { restoreCommand } from './cli/restore.ts';
import { serveCommand } from './cli/serve.ts';
import { settleCommand } from './cli/settle.ts';
import { workerCommand } from './cli/worker.ts';

export const commands: readonly CliCommand<unknown>[] = [
  serveCommand,
  workerCommand,
  projectionsStatus,
  projectionsRebuild,
  projectionsVerify,
  eventsStats,
  eventsTail,
  eventsStream,
  eventsCatalog,
  replayCommand,
  backupCommand,
  backupDrill,
  restoreCommand,
  deadLettersList,
  deadLettersShow,
  deadLettersRetry,
  deadLettersDiscard,
  decisionsRunOnce,
  decisionsPause,
  decisionsResume,
  decisionsPauses,
  decisionsDeadLettersList,
  decisionsDeadLettersRetry,
  decisionsDeadLettersDiscard,
  apiReference,
  settleCommand,
  marketImport,
  marketShow,
  marketArchiveList,
  marketArchiveRestore,
  ingestStatus,
  ingestBackfill,
  propShow,
  auditRace,
  ledgerVerify,
  ledgerProve,
  ledgerRotateKey,
  ledgerCheckpoint,
  raceShow,
  economyReconcile,
  backtestRun,
  backtestReport,
];

/** The usage text: one entry per registered command, from the command table itself so it cannot drift. */
export function help(): string {
  return ['usage: clash <command> [flags]', '', ...commands.map((c) => `  ${c.usage}\n      ${c.summary}`), ''].join('\n');
}

/** The words of a command line before its first flag: what an unknown command is named by. */
function commandWords(argv: readonly string[]): string {
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  return (firstFlag < 0 ? argv : argv.slice(0, firstFlag)).join(' ') || argv.join(' ');
}

export interface MainOptions {
  sinks?: Sinks;
  composition?: Composition;
  env?: Record<string, string | undefined>;
}

/** Runs one command line; returns the exit code (0 ok, 1 failure or difference, 2 bad usage). */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const sinks = options.sinks ?? processSinks;
  const json = argv.includes('--json');
  const out = createOutput(json, sinks);
  const command = [...commands].sort((a, b) => b.words.length - a.words.length).find((c) => c.words.every((w, i) => argv[i] === w));
  const asksForHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
  if (!command && !asksForHelp) {
    out.error(`unknown command: ${commandWords(argv)} (clash --help lists every command)`);
    sinks.stdout(help());
    return 2;
  }
  if (!command || asksForHelp) {
    sinks.stdout(help());
    return 0;
  }
  try {
    const input = parseCommandArgs(command, argv.slice(command.words.length));
    return await command.run(input, { out, composition: options.composition ?? productComposition, env: options.env ?? process.env });
  } catch (error) {
    if (error instanceof UsageError) {
      out.error(`${error.message}\nusage: ${command.usage}`);
      return 2;
    }
    if (error instanceof ClashError) {
      out.error(`${error.code}: ${error.message}`);
      return error.kind === 'invalid' ? 2 : 1;
    }
    out.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}
