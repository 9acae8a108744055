import { ConfigError, type GatewayConfig, loadConfig } from '@printermaster/server';

/** The gateway's configuration, or `undefined` after naming every problem on stderr. */
export function loadConfigOrExplain(): GatewayConfig | undefined {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`printermaster: ${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}
