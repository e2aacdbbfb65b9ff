import https from 'https';

const COLLECTOR_HOST = 'logs.example.com';

export function shipLines(lines: { at: number; text: string }[]): Promise<void> {
  return new Promise((resolve) => {
    const req = https.request({ host: COLLECTOR_HOST, path: '/v1/lines', method: 'POST' }, () => resolve());
    req.on('error', () => resolve());
    req.end(JSON.stringify(lines));
  });
}
