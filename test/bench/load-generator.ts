// A bounded closed-loop load: a fixed number of POSTs at a fixed concurrency, over keep-alive sockets.
import http from 'node:http';

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Milliseconds, one per request. */
  latencies: number[];
  /** Responses that were not 201, by status (0: the request failed). */
  failures: Map<number, number>;
  firstFailure?: string;
}

/** Sends each body once (POST application/json to `url`), `concurrency` in flight at a time. */
export async function runLoad(url: string, bodies: Buffer[], concurrency: number): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const failures = new Map<number, number>();
  let firstFailure: string | undefined;
  let next = 0;

  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const started = process.hrtime.bigint();
      const { status, text } = await post(agent, target, body).catch((error: Error) => ({
        status: 0,
        text: error.message,
      }));
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (status !== 201) {
        failures.set(status, (failures.get(status) ?? 0) + 1);
        firstFailure ??= `${status}: ${text.slice(0, 300)}`;
      }
    }
  };

  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { requests: bodies.length, seconds, latencies, failures, firstFailure };
}

function post(agent: http.Agent, target: URL, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
