// The web host answers only to the token it printed.
import { test, expect } from './web-host-fixture';

test('the page and the socket refuse requests without the token', async ({ page, webHost, request }) => {
  const noToken = await request.get(`${webHost.origin}/`);
  expect(noToken.status()).toBe(401);
  const wrong = await request.get(`${webHost.origin}/?token=not-the-token`);
  expect(wrong.status()).toBe(401);
  await page.goto(webHost.url);
  // The token URL leaves a session cookie; without it (or the token), the socket is refused.
  await page.context().clearCookies();
  const refused = await page.evaluate(
    (origin) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(origin.replace('http', 'ws') + '/ws');
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      }),
    webHost.origin,
  );
  expect(refused).toBe('refused');
});
