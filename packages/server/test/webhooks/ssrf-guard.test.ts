import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/gateway-error.js';
import { forbiddenAddressReason } from '../../src/webhooks/forbidden-addresses.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { WebhookUrlGuard } from '../../src/webhooks/webhook-url-guard.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

const PRIVATE = [
  '10.0.0.1',
  '10.255.255.255',
  '127.0.0.1',
  '127.1.2.3',
  '0.0.0.0',
  '169.254.169.254',
  '172.16.0.1',
  '172.31.255.255',
  '192.168.1.1',
  '100.64.0.1',
  '100.127.255.254',
  '224.0.0.1',
  '239.255.255.250',
  '255.255.255.255',
  '198.18.0.1',
  '::1',
  '::',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::ffff:10.0.0.1',
  '::ffff:a9fe:a9fe',
  '64:ff9b::127.0.0.1',
  '64:ff9b::a00:1',
  '2002:7f00:1::',
  '2002:c0a8:101::1',
  'fc00::1',
  'fd12:3456:789a::1',
  'fe80::1',
  'fe80::1%eth0',
  'ff02::1',
  '::127.0.0.1',
  '::ffff:0:7f00:1',
  '::ffff:0:8.8.8.8',
  '3fff::1',
  '64:ff9b:1::a00:1',
];
const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '2606:4700:4700::1111',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

describe('forbidden webhook addresses', () => {
  it.each(PRIVATE)('refuses %s', (address) => {
    expect(forbiddenAddressReason(address)).toBe('private address');
  });

  it.each(PUBLIC)('accepts %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
  });
});

async function refusal(guard: WebhookUrlGuard, url: string): Promise<GatewayError> {
  const err = await guard.check(url).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  const gatewayError = err as GatewayError;
  expect(gatewayError.code).toBe('WEBHOOK_URL_REFUSED');
  expect(gatewayError.status).toBe(400);
  return gatewayError;
}

describe('webhook URLs at registration', () => {
  const guard = new WebhookUrlGuard({ allowPrivate: false });

  it.each([
    'http://127.0.0.1/hook',
    'http://127.0.0.1:8080/hook',
    'http://10.1.2.3/',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/',
    'http://[fd00::1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0x7f.1/',
    'http://017700000001/',
    'http://127.1/',
    'http://0/',
    'http://localhost/hook',
  ])('refuses %s, which is or resolves to an internal address', async (url) => {
    const err = await refusal(guard, url);
    expect(String(err.details?.reason)).toMatch(/private address/);
  });

  it.each([
    ['ftp://example.com/hook', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    ['gopher://example.com/', /only http and https/],
    ['https://user:pass@example.com/hook', /credentials/],
    ['https://user@example.com/hook', /credentials/],
    ['not a url', /not a valid absolute URL/],
    ['/relative/path', /not a valid absolute URL/],
    ['https://example.com/<2100 characters>', /longer than/],
    ['https://no-such-host.invalid/hook', /does not resolve/],
    ['http://1.1.1.1:0/hook', /port 0/],
  ])('refuses %s', async (url, reason) => {
    const err = await refusal(guard, url.replace('<2100 characters>', 'a'.repeat(2100)));
    expect(String(err.details?.reason)).toMatch(reason);
  });

  it('accepts a public address and normalizes the URL', async () => {
    expect(await guard.check('https://93.184.216.34/hook#fragment')).toBe('https://93.184.216.34/hook');
    expect(await guard.check('HTTPS://[2606:4700:4700::1111]:8443/x')).toBe('https://[2606:4700:4700::1111]:8443/x');
  });

  it('accepts loopback and private targets when PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE is on', async () => {
    const open = new WebhookUrlGuard({ allowPrivate: true });
    expect(await open.check('http://127.0.0.1:9/hook')).toBe('http://127.0.0.1:9/hook');
    expect(await open.check('http://localhost:9/hook')).toBe('http://localhost:9/hook');
    // Only the address check is lifted: the scheme and credentials rules stay.
    await refusal(open, 'ftp://127.0.0.1/');
    await refusal(open, 'http://a:b@127.0.0.1/');
  });
});

describe('webhook requests at delivery', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startTestReceiver();
  });
  afterAll(() => receiver.close());

  const request = (url: string) => ({ url, headers: { 'content-type': 'application/json' }, body: '{}' });

  it('refuses a loopback target by IP and by a name that resolves to it, and sends nothing', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: false, timeoutMs: 5_000 });
    try {
      for (const url of [
        receiver.url,
        `http://localhost:${receiver.port}/hook`,
        `http://[::ffff:127.0.0.1]:${receiver.port}/`,
      ]) {
        const outcome = await sender.send(request(url));
        expect(outcome.statusCode).toBeNull();
        expect(outcome.error).toMatch(/^refused: .*private address/);
      }
      expect(receiver.received).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it('connects to the address it checked, whatever the name resolves to next (DNS rebinding)', async () => {
    // The resolver answers a public address at registration and loopback when the request connects.
    let lookups = 0;
    const rebinding = async () => {
      lookups += 1;
      return lookups === 1 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    };
    const guard = new WebhookUrlGuard({ allowPrivate: false, resolve: rebinding });
    const url = `http://rebind.example:${receiver.port}/hook`;
    expect(await guard.check(url)).toBe(url);
    const sender = new HttpWebhookSender({ allowPrivate: false, timeoutMs: 5_000, resolve: rebinding });
    try {
      const outcome = await sender.send(request(url));
      expect(outcome.error).toMatch(/^refused: rebind.example resolves to 127.0.0.1/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it('reaches a loopback receiver by name when private targets are allowed', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5_000 });
    try {
      const outcome = await sender.send(request(`http://localhost:${receiver.port}/hook`));
      expect(outcome.statusCode).toBe(200);
      expect(outcome.responseSnippet).toBe('ok');
    } finally {
      await sender.close();
    }
  });
});
