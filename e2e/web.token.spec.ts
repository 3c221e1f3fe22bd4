// A second local server, visited in the same browser after the workbench, never receives a usable
// token: not in a cookie (cookies ignore ports, so it gets the page key, which opens no socket),
// not as a referrer, not through storage (sessionStorage is per origin, and the port is part of it).
import { test, expect } from './web-host-fixture';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';

test('another server on 127.0.0.1 receives nothing that opens the workbench socket', async ({ page, webHost }) => {
  const seen: IncomingHttpHeaders[] = [];
  const other = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>other</title><script>document.title = "storage:" + sessionStorage.getItem("glasswing-token") + ":" + document.cookie;</script>');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}/`;
  try {
    await page.goto(webHost.url);
    await expect(page.getByRole('heading', { name: 'Glasswing' })).toBeVisible();
    await expect.poll(() => page.url()).not.toContain('token=');
    const token = new URL(webHost.url).searchParams.get('token')!;
    // Reloading keeps working: the token is in this tab's sessionStorage.
    await page.reload();
    await expect(page.getByTestId('train')).toBeVisible();
    // From the workbench to the other server (a link, a bookmark): what reaches it?
    await page.goto(otherUrl);
    await expect(page).toHaveTitle(/^storage:null:/);
    const other2 = await page.context().newPage();
    await other2.goto(otherUrl);
    const everything = JSON.stringify(seen);
    expect(everything).not.toContain(token);
    // Whatever cookie it got opens no socket on the workbench.
    const cookie = seen.map((h) => h.cookie ?? '').join('; ');
    const values = cookie.split(';').map((c) => c.split('=')[1]?.trim()).filter((v): v is string => !!v);
    for (const candidate of [...values, '']) {
      const refused = await new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${new URL(webHost.url).port}/ws?token=${encodeURIComponent(candidate)}`, { origin: webHost.origin, headers: { cookie } });
        ws.once('open', () => {
          ws.close();
          resolve(false);
        });
        ws.once('unexpected-response', () => resolve(true));
        ws.once('error', () => resolve(true));
      });
      expect(refused, `socket with ${candidate.slice(0, 8)}…`).toBe(true);
    }
  } finally {
    other.close();
  }
});
