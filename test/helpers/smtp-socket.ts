// A raw SMTP client on a real socket, for what nodemailer will not send: pipelined command
// floods, commands out of order, bytes no mail program writes. Replies are read as the server
// sends them (a multi-line reply is one reply).
import net from 'node:net';

export interface SmtpReply {
  code: number;
  /** The whole reply, lines joined with "\n". */
  text: string;
}

export interface RawSmtpClient {
  /** Writes bytes as they are (add "\r\n" yourself). */
  write(data: string | Buffer): void;
  /** Waits for the next `count` replies. */
  replies(count: number, timeoutMs?: number): Promise<SmtpReply[]>;
  /** Writes one command line and waits for its reply. */
  command(line: string, timeoutMs?: number): Promise<SmtpReply>;
  /** True once the server closed the connection. */
  readonly closed: boolean;
  close(): void;
}

/** `preface`: bytes sent before the greeting is awaited (a PROXY protocol header, as a TCP proxy sends it). */
export function connectSmtp(port: number, host = '127.0.0.1', preface?: string): Promise<RawSmtpClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const queue: SmtpReply[] = [];
    let buffer = '';
    let lines: string[] = [];
    let closed = false;
    let wake: (() => void) | null = null;
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        lines.push(line);
        if (/^\d{3}(?: |$)/.test(line)) {
          queue.push({ code: Number(line.slice(0, 3)), text: lines.join('\n') });
          lines = [];
        }
      }
      wake?.();
    });
    socket.on('close', () => {
      closed = true;
      wake?.();
    });
    socket.on('error', () => undefined);
    const replies = async (count: number, timeoutMs = 20_000): Promise<SmtpReply[]> => {
      const until = Date.now() + timeoutMs;
      while (queue.length < count) {
        if (closed) throw new Error(`the server closed the connection after ${queue.length} of ${count} replies`);
        const left = until - Date.now();
        if (left <= 0) throw new Error(`${queue.length} of ${count} replies within ${timeoutMs} ms`);
        await new Promise<void>((done) => {
          const timer = setTimeout(done, Math.min(left, 200));
          wake = () => {
            clearTimeout(timer);
            done();
          };
        });
        wake = null;
      }
      return queue.splice(0, count);
    };
    const client: RawSmtpClient = {
      write: (data) => void (closed || socket.write(data)),
      replies,
      command: async (line, timeoutMs) => {
        client.write(`${line}\r\n`);
        return (await replies(1, timeoutMs))[0]!;
      },
      get closed() {
        return closed;
      },
      close: () => socket.destroy(),
    };
    socket.once('connect', () => {
      if (preface !== undefined) socket.write(preface);
      replies(1).then(
        (greeting) => (greeting[0]!.code === 220 ? resolve(client) : reject(new Error(greeting[0]!.text))),
        reject,
      );
    });
    socket.once('error', reject);
  });
}
