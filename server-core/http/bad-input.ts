// Bad input → the answer it gets. llhttp (Node's parser) finds most of it and reports an
// HPE_* code; the rest are our own checks (body size, Host, version, read timeout).
import { STATUS_CODES } from 'node:http';
import type { HeaderList } from '../events';
import { H } from './strings';
import { SERVER_SOFTWARE, httpDate } from './server-software';

export interface Refusal {
  /** The status to answer with; null when there is nobody left to answer (just close). */
  status: number | null;
  /** HPE_* from llhttp, or our own code. */
  code: string;
  message: string;
}

interface ParseError extends Error {
  code?: string;
  reason?: string;
}

/** What to answer for an error Node's HTTP parser reported ('clientError'). */
export function classifyParseError(err: ParseError, maxHeaderBytes: number): Refusal {
  const code = err.code ?? 'HPE_UNKNOWN';
  const reason = err.reason ?? err.message;
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code, message: H.headersTooLarge(maxHeaderBytes) };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code, message: H.chunkExtensionsTooLarge() };
    case 'HPE_INVALID_METHOD':
    case 'HPE_INVALID_URL':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
      return { status: 400, code, message: H.badRequestLine(reason) };
    case 'HPE_INVALID_HEADER_TOKEN':
      return { status: 400, code, message: H.badHeaderName(reason) };
    case 'HPE_INVALID_CONTENT_LENGTH':
      return { status: 400, code, message: H.badContentLength(reason) };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, code, message: /duplicate/i.test(reason) ? H.badContentLength(reason) : H.lengthAndChunked() };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 400, code, message: /content-length/i.test(reason) ? H.lengthAndChunked() : H.badChunked(reason) };
    case 'HPE_INVALID_CHUNK_SIZE':
      return { status: 400, code, message: H.badChunked(reason) };
    case 'HPE_INVALID_EOF_STATE':
      return { status: null, code, message: H.closedMidRequest() };
    default:
      return { status: 400, code, message: H.badRequest(reason) };
  }
}

export interface RawAnswer {
  bytes: Buffer;
  status: number;
  headers: HeaderList;
  bodyBytes: number;
}

/**
 * A complete `Connection: close` response with a plain-text body, for when no ServerResponse
 * exists (the parser gave up before a request object was made, or the client sent nothing).
 */
export function rawAnswer(status: number, message: string): RawAnswer {
  const body = Buffer.from(`${message}\n`);
  const headers: HeaderList = [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(body.length)],
    ['Connection', 'close'],
    ['Date', httpDate()],
    ['Server', SERVER_SOFTWARE],
  ];
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), body]), status, headers, bodyBytes: body.length };
}
