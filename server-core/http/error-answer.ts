// The one answer the server gives by itself — to bad input, to a request it cannot serve, for
// an app that failed before its headers: a short plain-text body that says what was wrong,
// and `Connection: close`. Every path that answers without the app builds it here, so every
// such answer has the same headers (the `response` event lists them as sent).
import type { HeaderList } from '../events';
import { reasonPhrase } from './reason-phrases';
import { SERVER_SOFTWARE, httpDate } from './server-software';

export interface ErrorAnswer {
  status: number;
  /** The header lines, in order, as sent. */
  headers: HeaderList;
  /** The body: the message and a newline. */
  body: Buffer;
  /** Status line, headers and body: the bytes on the wire. */
  bytes: Buffer;
}

export function errorAnswer(status: number, message: string): ErrorAnswer {
  const body = Buffer.from(`${message}\n`);
  const headers: HeaderList = [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(body.length)],
    ['Connection', 'close'],
    ['Date', httpDate()],
    ['Server', SERVER_SOFTWARE],
  ];
  let head = `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return { status, headers, body, bytes: Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]) };
}

/** The same headers as names and values alternating, for a response object that writes its own head. */
export function errorHeaders(answer: ErrorAnswer): string[] {
  return answer.headers.flat();
}
