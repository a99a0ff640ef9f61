// HTTP over a bare socket, for what fetch cannot do: declare a body and send only part of it, then
// see whether (and what) the server answers while the rest is still owed.
import net from 'node:net';

export interface PartialAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
  /** The server closed the connection after answering. */
  closed: boolean;
}

export interface PartialRequest {
  method?: string;
  path: string;
  headers: Record<string, string>;
  /** What is sent of the body; the rest of what Content-Length promises is never sent. */
  part: Buffer | string;
  /** How long to wait for an answer before giving up (the server is waiting for the body). */
  waitMs?: number;
}

/** Sends the head and part of the body, then waits for the answer without sending more. */
export function sendPartly(baseUrl: string, request: PartialRequest): Promise<PartialAnswer> {
  return startPartly(baseUrl, request).answer;
}

export interface HeldUpload {
  /** The answer, if the server gives one before the body is complete. */
  answer: Promise<PartialAnswer>;
  /** Sends more of the body. */
  write(data: Buffer | string): void;
  /** Drops the connection, as a client that gives up does. */
  abort(): void;
}

/** Like sendPartly, keeping the connection in hand: an upload that holds its share of the server's budget. */
export function startPartly(baseUrl: string, request: PartialRequest): HeldUpload {
  const url = new URL(baseUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  const answer = new Promise<PartialAnswer>((resolve, reject) => {
    const received: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      const answer = parseAnswer(Buffer.concat(received), closed);
      if (!answer) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => {
      settled = true;
      socket.destroy();
      reject(new Error(`no answer within ${request.waitMs ?? 10_000} ms while the body was still owed`));
    }, request.waitMs ?? 10_000);
    socket.on('connect', () => {
      const head = [
        `${request.method ?? 'POST'} ${request.path} HTTP/1.1`,
        `Host: ${url.host}`,
        ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      socket.write(request.part);
    });
    socket.on('data', (chunk) => {
      received.push(chunk);
      finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => {
      finish(true);
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(new Error(`the connection closed without a whole answer (${Buffer.concat(received).length} bytes)`));
      }
    });
    socket.on('error', () => undefined);
  });
  answer.catch(() => undefined);
  return { answer, write: (data) => socket.write(data), abort: () => socket.destroy() };
}

/** A whole response (head and Content-Length body), or null while it is incomplete. */
function parseAnswer(data: Buffer, closed: boolean): PartialAnswer | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers = new Map(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const body = data.subarray(end + 4);
  const length = Number(headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) ? body.length < length : !closed) return null;
  return { status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8'), closed };
}
