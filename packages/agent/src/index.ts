export { Agent, type AgentOptions, type AgentPrinter } from './agent.js';
export { AGENT_USAGE, AGENT_VERSION, type CliIo, runAgentCli } from './agent-cli.js';
export { type AgentLogger, createAgentLogger } from './agent-logger.js';
export { ConnectionHealth } from './connection-health.js';
export { CupsPrinter, discoverCupsQueues } from './cups-printer.js';
export { Journal, type JournalJob } from './journal.js';
export { summarizeJournal } from './journal-summary.js';
export type { PrinterDriver, PrintResult } from './printer-driver.js';
export { TcpPrinter } from './tcp-printer.js';
