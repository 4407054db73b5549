// Bad input → the answer it gets. llhttp (Node's parser) finds most of it and reports an
// HPE_* code; the rest are our own checks of a request's head (checkHead: version, Host,
// Expect, CONNECT, the body's announced size). The answer itself is built by error-answer.ts.
import { H } from './strings';

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

/** A request head, as far as checkHead needs it. */
export interface HeadFacts {
  method: string;
  versionMajor: number;
  versionMinor: number;
  /** Host headers seen (a request must have exactly one on HTTP/1.1). */
  hosts: number;
  /** The Expect header, if any. */
  expect: string | undefined;
  /** The announced Content-Length, if any (llhttp has checked its form). */
  contentLength: number | undefined;
}

/** The checks llhttp does not make, on a complete head: null when the request may go on. */
export function checkHead(head: HeadFacts, maxBodyBytes: number): Refusal | null {
  if (head.versionMajor === 0) return { status: 400, code: 'HTTP_0_9', message: H.http09() };
  if (head.versionMajor !== 1) return { status: 505, code: 'HTTP_VERSION', message: H.versionNotSupported(`${head.versionMajor}.${head.versionMinor}`) };
  if (head.method === 'CONNECT') return { status: 405, code: 'CONNECT_NOT_SUPPORTED', message: H.connectNotAllowed() };
  if (head.versionMinor >= 1 && head.hosts === 0) return { status: 400, code: 'MISSING_HOST', message: H.missingHost() };
  if (head.hosts > 1) return { status: 400, code: 'DUPLICATE_HOST', message: H.duplicateHost() };
  if (head.expect !== undefined && head.expect.toLowerCase() !== '100-continue') {
    return { status: 417, code: 'EXPECTATION_FAILED', message: H.expectationFailed(head.expect) };
  }
  if (head.contentLength !== undefined && head.contentLength > maxBodyBytes) {
    return { status: 413, code: 'BODY_TOO_LARGE', message: H.bodyTooLarge(maxBodyBytes, head.contentLength) };
  }
  return null;
}
