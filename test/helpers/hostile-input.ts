// Hostile requests for the public side: names of Object.prototype members, a seeded PRNG so that a
// failing run can be replayed, and a raw HTTP client that sends bytes fetch would refuse to send.
import net from 'node:net';

/** Keys that resolve on every plain object: as field, JSON, query, cookie or header names. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
] as const;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RawRequest {
  method: string;
  /** Sent as is: may hold bytes no URL parser would let through. */
  target: string;
  headers: [string, string][];
  body?: Buffer;
}

export interface RawResponse {
  /** 0 when the server closed the connection without an HTTP answer. */
  status: number;
  /** Headers and body as latin1 text, for searching (a chunked body is not reassembled). */
  text: string;
}

/**
 * Writes one request byte for byte on a fresh connection (Connection: close, Content-Length set
 * unless a header names it) and reads the whole answer.
 */
export function sendRaw(baseUrl: string, request: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body = request.body ?? Buffer.alloc(0);
  const named = (name: string) => request.headers.some(([n]) => n.toLowerCase() === name);
  const headers: [string, string][] = [
    ...(named('host') ? [] : [['Host', `${hostname}:${port}`] as [string, string]]),
    ...request.headers,
    ...(named('content-length') || named('transfer-encoding') || body.length === 0
      ? []
      : [['Content-Length', String(body.length)] as [string, string]]),
    ['Connection', 'close'],
  ];
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${request.method} ${request.target.slice(0, 120)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may answer and close before reading all of a large body: that is an answer too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status ? Number(status) : 0, text });
    });
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

/** Signs of an internal error shown to a client: a stack frame, a source path, an exception's name. */
export function showsInternals(text: string): boolean {
  return /\bat [\w$.<>]+ \(|\(\/[^)]*:\d+:\d+\)|node_modules|\.ts:\d+|(TypeError|ReferenceError|RangeError): /.test(
    text,
  );
}
