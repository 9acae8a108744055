// A JSON answer for the bench's bare node:http servers.

/** @param {import('node:http').ServerResponse} res */
export function sendJson(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}
