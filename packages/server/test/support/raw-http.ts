import net from 'node:net';

/**
 * Sends one request written by hand (so that it can break HTTP: odd methods, NUL and raw
 * UTF-8 in the path and headers, headers over Node's 16 KB) and reads the answer until the
 * server closes the connection (`Connection: close`). `undefined` when the server closed it
 * without an answer, or gave none within 5 s.
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: [string, string][],
  /** `omitHost`: no `Host` header (HTTP/1.1 asks for one). */
  options: { omitHost?: boolean } = {},
): Promise<{ status: number; body: string } | undefined> {
  const head = [`${method} ${path} HTTP/1.1`, ...(options.omitHost ? [] : ['Host: 127.0.0.1']), 'Connection: close']
    .concat(headers.map(([name, value]) => `${name}: ${value}`))
    .join('\r\n');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.end(Buffer.from(`${head}\r\n\r\n`, 'utf8')));
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

function parse(text: string): { status: number; body: string } | undefined {
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
  if (!status) return undefined;
  const split = text.indexOf('\r\n\r\n');
  const headers = text.slice(0, split).toLowerCase();
  let body = split < 0 ? '' : text.slice(split + 4);
  if (headers.includes('transfer-encoding: chunked')) body = unchunk(body);
  return { status: Number(status[1]), body };
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
