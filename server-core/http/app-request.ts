// A request as a gateway sees it (exchange.ts GatewayRequest), made from one read whole by
// request-reader.ts. An absolute-form target (`GET http://host/path`, the form proxies are
// sent) is split as PEP 3333 servers split it: the app gets the path, and the host named in
// the target stands for the Host header (RFC 9112, section 3.2.2: the target's wins).
import type { Peer } from '../events';
import type { GatewayRequest } from '../gateway/exchange';
import type { ParsedRequest } from './request-reader';

const ABSOLUTE = /^https?:\/\/([^/?#]*)([^#]*)/i;

export class AppRequest implements GatewayRequest {
  readonly url: string;
  readonly host: string | undefined;
  readonly rawHeaders: readonly string[];

  constructor(
    private readonly req: ParsedRequest,
    private readonly peer: Peer,
  ) {
    const absolute = ABSOLUTE.exec(req.target);
    if (!absolute) {
      this.url = req.target;
      this.host = req.host;
      this.rawHeaders = req.rawHeaders;
      return;
    }
    const [, authority, rest] = absolute;
    this.url = rest.startsWith('/') ? rest : `/${rest}`;
    this.host = authority;
    this.rawHeaders = withHost(req.rawHeaders, authority);
  }

  get method(): string {
    return this.req.method;
  }
  get httpVersion(): string {
    return `${this.req.versionMajor}.${this.req.versionMinor}`;
  }
  get remoteAddress(): string {
    return this.peer.address;
  }
  get remotePort(): number {
    return this.peer.port;
  }
  body(): Promise<Buffer> {
    return Promise.resolve(this.req.body);
  }
}

/** The headers with Host's value replaced (or Host added), order kept. */
function withHost(raw: readonly string[], host: string): string[] {
  const out = [...raw];
  for (let i = 0; i + 1 < out.length; i += 2) {
    if (out[i].toLowerCase() === 'host') {
      out[i + 1] = host;
      return out;
    }
  }
  out.push('Host', host);
  return out;
}
