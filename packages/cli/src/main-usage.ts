/** `printermaster --help`. Kept apart from usage.ts, which loads the server for `serve --help`. */
export const MAIN_USAGE = `Usage: printermaster [command] [options]

Commands:
  serve      Start the gateway (HTTP API + Socket.IO on PORT, default 3001); the default
  migrate    Apply pending database migrations (--status to list them, --down-to to undo)
  admin      Companies, branches, licences and tokens
  backup     Copy the embedded store to a file (works while the gateway runs)
  restore    Replace the embedded store with a backup (gateway stopped)
  agent      Run the branch agent (\`agent status\` shows its journal)
  virtual-printer  Run a TCP ESC/POS printer emulator (tests, demos, benchmarks)
  health     Check the database, Redis or the WebSocket: \`health db|redis|websocket\`
  smoke      Smoke-test a running gateway: agent handshake, printer test, print job
  demo       Gateway + virtual printer + agent on this machine, printing two sample tickets
  version    Print the version

Run \`printermaster <command> --help\` for a command's options.
Configuration comes from environment variables, and from a .env file in the working
directory for what the environment does not set; \`printermaster serve --help\` lists them.
`;
