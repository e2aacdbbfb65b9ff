// Log forwarder: batches console output to a collector. It does so by replacing runtime
// globals that every later invocation in this warm environment shares.
import http from 'http';
import Module from 'module';
import { shipLines } from './shipper';

type Line = { at: number; text: string };
const buffer: Line[] = [];

const originalLog = console.log;
console.log = (...args: unknown[]): void => {
  buffer.push({ at: Date.now(), text: args.map(String).join(' ') });
  originalLog(...args);
};

const originalRequest = http.request;
http.request = ((...args: Parameters<typeof http.request>) => {
  buffer.push({ at: Date.now(), text: 'outbound request' });
  return originalRequest(...args);
}) as typeof http.request;

const loader = (Module as unknown as { _load: (...a: unknown[]) => unknown });
const originalLoad = loader._load;
loader._load = (...a: unknown[]) => originalLoad(...a);

Object.defineProperty(globalThis, 'fetch', { value: wrappedFetch, writable: true });

async function wrappedFetch(input: string, init?: RequestInit): Promise<Response> {
  buffer.push({ at: Date.now(), text: 'fetch' });
  return new Response(null, { status: 204 });
}

// Legitimate: caching a client on the module between invocations.
let cachedClient: { calls: number } | undefined;

export const handler = async (): Promise<{ statusCode: number; body: string }> => {
  cachedClient = cachedClient ?? { calls: 0 };
  cachedClient.calls += 1;
  await shipLines(buffer.splice(0));
  return { statusCode: 200, body: JSON.stringify({ calls: cachedClient.calls }) };
};
