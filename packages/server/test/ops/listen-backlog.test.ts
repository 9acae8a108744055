import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** The accept queue length the kernel reports for a listening TCP port (`ss` Send-Q), if `ss` exists. */
function listenQueueOf(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
    const fields = out.trim().split(/\s+/);
    return fields.length >= 3 ? Number(fields[2]) : undefined;
  } catch {
    return undefined;
  }
}

const hasSs = (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// A reconnect storm sends thousands of SYNs within a second; with Node's default queue of 511
// the kernel drops the rest and each of those agents waits out a SYN retransmit (1 s, 3 s, 7 s …).
describe.skipIf(!hasSs || process.platform !== 'linux')('listen backlog', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { PRINTERMASTER_LISTEN_BACKLOG: '777' } });
  });
  afterAll(() => gw.close());

  it('listens with PRINTERMASTER_LISTEN_BACKLOG as the accept queue', () => {
    expect(listenQueueOf(gw.port)).toBe(777);
  });
});
