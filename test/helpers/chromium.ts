/**
 * A minimal driver for headless Chromium over the DevTools protocol, for tests that must see a
 * page the way a browser draws it. No npm dependency: Chromium is spawned with
 * `--remote-debugging-pipe`, which speaks CDP over file descriptors 3 (commands to the browser)
 * and 4 (its replies and events), each message JSON terminated by a NUL byte.
 *
 * Every wait is bounded by one deadline for the whole session, so a hung browser fails the
 * test instead of hanging it; `close()` always ends the browser's process group and removes the
 * temporary profile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** One line, for a test failure when no browser is installed. */
export const CHROMIUM_MISSING =
  'chromium not found: install it with `apt-get install -y --no-install-recommends chromium` (Debian), or set CHROMIUM=/path/to/chromium';

/** The Chromium binary: $CHROMIUM, else `chromium` or `chromium-browser` on the PATH; null when there is none. */
export function findChromium(): string | null {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (process.env.CHROMIUM) return executable(process.env.CHROMIUM) ? process.env.CHROMIUM : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const name of ['chromium', 'chromium-browser']) if (executable(join(dir, name))) return join(dir, name);
  return null;
}

interface CdpMessage {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string; readonly code?: number };
  readonly sessionId?: string;
}

/** The protocol over the two pipes: numbered commands, their replies, and events to listeners. */
class CdpPipe {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners: ((m: CdpMessage) => void)[] = [];
  private failure: Error | null = null;

  constructor(
    private readonly out: Writable,
    input: Readable,
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.dispatch(JSON.parse(text) as CdpMessage);
      }
    });
  }

  private dispatch(message: CdpMessage): void {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.error) waiter.reject(new Error(`CDP error: ${message.error.message}`));
      else waiter.resolve(message.result ?? {});
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  on(listener: (m: CdpMessage) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown>, sessionId: string | undefined, timeoutMs: number): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`CDP ${method}: no reply within ${timeoutMs} ms`));
      }, Math.max(1, timeoutMs));
      this.pending.set(id, { resolve: resolve as (r: Record<string, unknown>) => void, reject, timer });
      this.out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** Rejects every pending command and every later one. */
  fail(error: Error): void {
    this.failure ??= error;
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
      this.pending.delete(id);
    }
  }
}

export interface LaunchOptions {
  /** The whole session's time budget, ms: every wait fails once it is spent (default 25 s). */
  readonly budgetMs?: number;
  /** Viewport, CSS px (default 1280 × 900). */
  readonly width?: number;
  readonly height?: number;
}

/** What the page did, collected from the moment it was opened. */
export interface PageLog {
  /** Uncaught exceptions, console.error/assert calls and error-level log entries, one line each. */
  readonly errors: string[];
  /** Every request's URL, the document's own included. */
  readonly requests: string[];
}

export class ChromiumPage {
  readonly log: PageLog = { errors: [], requests: [] };

  private constructor(
    private readonly child: ChildProcess,
    private readonly cdp: CdpPipe,
    private readonly profile: string,
    private readonly deadline: number,
    private sessionId = '',
  ) {}

  /** Starts Chromium with a fresh profile and opens one blank page with console, log and network events on. */
  static async launch(binary: string, options: LaunchOptions = {}): Promise<ChromiumPage> {
    const deadline = Date.now() + (options.budgetMs ?? 25_000);
    const profile = mkdtempSync(join(tmpdir(), 'spinvisor-chromium-'));
    const child = spawn(
      binary,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--remote-debugging-pipe',
        `--user-data-dir=${profile}`,
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-default-apps',
        '--disable-sync',
        '--hide-scrollbars',
        '--mute-audio',
        'about:blank',
      ],
      { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], detached: true },
    );
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
    child.stdout!.resume();
    const cdp = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
    child.on('error', (e) => cdp.fail(new Error(`chromium failed to start (${binary}): ${e.message}`)));
    child.on('exit', (code, signal) => cdp.fail(new Error(`chromium exited (code ${code}, signal ${signal}); stderr: ${stderr.trim().slice(-1000) || '(empty)'}`)));
    // A closed pipe usually means the browser died: give its exit, with the better message, a moment to arrive first.
    (child.stdio[3] as Writable).on('error', (e) => setTimeout(() => cdp.fail(new Error(`chromium's DevTools pipe failed: ${e.message}; stderr: ${stderr.trim().slice(-1000) || '(empty)'}`)), 200).unref());
    const page = new ChromiumPage(child, cdp, profile, deadline);
    try {
      await page.open(options.width ?? 1280, options.height ?? 900);
    } catch (e) {
      await page.close();
      throw e;
    }
    return page;
  }

  private remaining(): number {
    return Math.max(1, this.deadline - Date.now());
  }

  /** A command to the page's session (or to the browser with `browser`), bounded by the deadline. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, browser = false): Promise<T> {
    return this.cdp.send<T>(method, params, browser ? undefined : this.sessionId, this.remaining());
  }

  private async open(width: number, height: number): Promise<void> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' }, true);
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true }, true);
    this.sessionId = sessionId;
    this.cdp.on((m) => {
      if (m.sessionId !== this.sessionId || !m.method) return;
      const p = m.params ?? {};
      if (m.method === 'Runtime.exceptionThrown') {
        const d = p.exceptionDetails as { text?: string; exception?: { description?: string } };
        this.log.errors.push(`exception: ${d.exception?.description ?? d.text ?? 'unknown'}`);
      } else if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
        const args = (p.args as { value?: unknown; description?: string }[]).map((a) => a.description ?? String(a.value));
        this.log.errors.push(`console.${String(p.type)}: ${args.join(' ')}`);
      } else if (m.method === 'Log.entryAdded') {
        const e = p.entry as { level: string; source: string; text: string; url?: string };
        if (e.level === 'error') this.log.errors.push(`${e.source}: ${e.text}${e.url ? ` (${e.url})` : ''}`);
      } else if (m.method === 'Network.requestWillBeSent') {
        this.log.requests.push((p.request as { url: string }).url);
      }
    });
    await Promise.all(['Runtime.enable', 'Log.enable', 'Page.enable', 'Network.enable'].map((m) => this.send(m)));
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  }

  /** Navigates and waits for the load event. */
  async navigate(url: string): Promise<void> {
    let off = () => {};
    const loaded = new Promise<void>((resolve) => {
      off = this.cdp.on((m) => {
        if (m.sessionId === this.sessionId && m.method === 'Page.loadEventFired') resolve();
      });
    });
    try {
      const reply = await this.send<{ errorText?: string }>('Page.navigate', { url });
      if (reply.errorText) throw new Error(`navigation to ${url} failed: ${reply.errorText}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`page did not load within the time budget: ${url}`)), this.remaining());
      });
      await Promise.race([loaded, timeout]).finally(() => clearTimeout(timer));
    } finally {
      off();
    }
  }

  /** Evaluates an expression in the page (promises awaited) and returns its value as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    if (reply.exceptionDetails) throw new Error(`evaluate failed: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
    return reply.result.value as T;
  }

  /** A PNG of the whole page, beyond the viewport. */
  async screenshot(): Promise<Buffer> {
    const metrics = await this.send<{ cssContentSize: { width: number; height: number } }>('Page.getLayoutMetrics');
    const { width, height } = metrics.cssContentSize;
    const { data } = await this.send<{ data: string }>('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: Math.ceil(width), height: Math.ceil(height), scale: 1 },
    });
    return Buffer.from(data, 'base64');
  }

  /** Ends the browser (politely, then its whole process group) and removes the profile. Never throws. */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    try {
      await this.cdp.send('Browser.close', {}, undefined, 1000).catch(() => {});
      if (!(await within(1000)) && this.child.pid !== undefined) {
        try {
          process.kill(-this.child.pid, 'SIGKILL');
        } catch {
          this.child.kill('SIGKILL');
        }
        await within(2000);
      }
    } finally {
      // The group may have left children behind even after a clean exit.
      if (this.child.pid !== undefined)
        try {
          process.kill(-this.child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      rmSync(this.profile, { recursive: true, force: true });
    }
  }
}
