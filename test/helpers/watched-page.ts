/**
 * A browser page that reports what went wrong on it: the browser tests load a self-contained
 * page and expect no errors and no request but its own file.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught exceptions, console.error/assert calls and error-level log entries (a resource that failed to load, a blocked request), one line each. */
  readonly errors: string[];
  /** Every request's URL. */
  readonly requests: string[];
}

/** A new 1280 × 900 page of `browser`, watched from before it loads anything. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'assert') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  const cdp = await context.newCDPSession(page);
  cdp.on('Log.entryAdded', ({ entry }) => {
    if (entry.level === 'error') errors.push(`${entry.source}: ${entry.text}${entry.url ? ` (${entry.url})` : ''}`);
  });
  cdp.on('Network.requestWillBeSent', ({ request }) => requests.push(request.url));
  await Promise.all([cdp.send('Log.enable'), cdp.send('Network.enable')]);
  return { context, page, errors, requests };
}
