import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import {
  hasIsolationHeaders,
  isolationStep,
  isolationVia,
  withIsolationHeaders,
} from '../../src/lib/offline/isolation';
import { APP_ICONS, drawIcon } from '../../scripts/icons/draw';

describe('cross-origin isolation from the service worker', () => {
  it('adds COOP and COEP to a response that has neither, keeping status, body and headers', async () => {
    const original = new Response('<p>app</p>', {
      status: 200,
      statusText: 'OK',
      headers: { 'Content-Type': 'text/html' },
    });
    const isolated = withIsolationHeaders(original);
    expect(isolated.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(isolated.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(isolated.headers.get('Content-Type')).toBe('text/html');
    expect(isolated.status).toBe(200);
    expect(await isolated.text()).toBe('<p>app</p>');
    expect(hasIsolationHeaders(original.headers)).toBe(false);
    expect(hasIsolationHeaders(isolated.headers)).toBe(true);
  });

  it('leaves a response that already has them as it is', () => {
    const res = new Response('x', {
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    });
    expect(withIsolationHeaders(res)).toBe(res);
  });

  it('reloads at most once, and only when a worker can make the page isolated', () => {
    const base = {
      isolated: false,
      serviceWorkers: true,
      controlled: false,
      reloadedBefore: false,
    };
    expect(isolationStep(base)).toBe('await-worker');
    expect(isolationStep({ ...base, controlled: true })).toBe('reload');
    // Already tried once in this tab: no loop, whatever happens.
    expect(isolationStep({ ...base, controlled: true, reloadedBefore: true })).toBe('none');
    expect(isolationStep({ ...base, isolated: true, controlled: true })).toBe('none');
    // No service workers (some private windows): single-threaded, no reload.
    expect(isolationStep({ ...base, serviceWorkers: false })).toBe('none');
  });

  it('says where the isolation comes from', () => {
    expect(isolationVia(true, 'added')).toBe('service-worker');
    expect(isolationVia(true, 'host')).toBe('headers');
    expect(isolationVia(true, null)).toBe('headers');
    expect(isolationVia(false, 'added')).toBe('none');
  });
});

describe('install icons', () => {
  it('are PNGs of the manifest sizes; the maskable one fills its corners, the others do not', () => {
    for (const icon of APP_ICONS) {
      const png = PNG.sync.read(drawIcon(icon));
      expect([png.width, png.height]).toEqual([icon.size, icon.size]);
      const corner = png.data[3]; // alpha of pixel (0, 0)
      const centre = ((icon.size / 2) * icon.size + icon.size / 2) * 4;
      expect(corner).toBe(icon.maskable ? 255 : 0);
      // The centre is the white cross.
      expect([...png.data.subarray(centre, centre + 4)]).toEqual([255, 255, 255, 255]);
    }
  });
});
