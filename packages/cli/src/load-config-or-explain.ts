import { ConfigError, type GatewayConfig, loadConfig } from '@printermaster/server';

/**
 * The gateway's configuration, or `undefined` after naming every problem through `explain`
 * (stderr unless told otherwise).
 */
export function loadConfigOrExplain(
  explain: (text: string) => void = (text) => process.stderr.write(text),
): GatewayConfig | undefined {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      explain(`printermaster: ${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}
