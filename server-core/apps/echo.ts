// Shows what the app was given: for WSGI the environ (keys sorted, wsgi.input and wsgi.errors
// described), for the other interfaces the request as they see it; plus the body read back.
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { BuiltinApp } from './types';

function bodyText(bytes: Uint8Array): { input: string; inputEncoding: 'utf8' | 'base64' } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = isUtf8(buf);
  return { input: buf.toString(text ? 'utf8' : 'base64'), inputEncoding: text ? 'utf8' : 'base64' };
}

function json(value: unknown): Buffer<ArrayBuffer> {
  return Buffer.from(`${JSON.stringify(value, null, 1)}\n`);
}

const JSON_TYPE = 'application/json; charset=utf-8';

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export const echo: BuiltinApp = {
  summary: 'answers with the environ (or the request) it was given, as JSON',
  wsgi: (environ, startResponse) => {
    const input = environ['wsgi.input'].read();
    const sorted = Object.fromEntries(Object.keys(environ).sort().map((k) => [k, environ[k]]));
    const body = json({ environ: sorted, ...bodyText(input) });
    startResponse('200 OK', [
      ['Content-Type', JSON_TYPE],
      ['Content-Length', String(body.length)],
    ]);
    return [body];
  },
  fetch: async (request) => {
    const input = new Uint8Array(await request.arrayBuffer());
    const body = json({
      request: { method: request.method, url: request.url, headers: [...request.headers] },
      ...bodyText(input),
    });
    return new Response(body, { headers: { 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) } });
  },
  node: async (req, res) => {
    const input = await readAll(req);
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    const body = json({
      request: { method: req.method, url: req.url, httpVersion: req.httpVersion, headers },
      ...bodyText(input),
    });
    res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': body.length });
    res.end(body);
  },
};
