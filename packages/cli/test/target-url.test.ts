import { loadCheckSettings } from '@printermaster/server';
import { describe, expect, it } from 'vitest';
import { targetUrl } from '../src/target-url.js';

describe('targetUrl', () => {
  it("defaults to this machine's gateway on its PORT, 3001 without one or with a bad one", () => {
    expect(targetUrl(undefined, loadCheckSettings({ PORT: '3997' }).port).href).toBe('http://localhost:3997');
    expect(targetUrl(undefined, loadCheckSettings({}).port).href).toBe('http://localhost:3001');
    expect(() => loadCheckSettings({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(targetUrl(undefined, 0).href).toBe('http://localhost:3001');
  });

  it('takes --target over PORT, a bare host as plain HTTP, and keeps a path prefix', () => {
    expect(targetUrl('green:8080', 3997).href).toBe('http://green:8080');
    expect(targetUrl('https://pm.example.com/gateway/').href).toBe('https://pm.example.com/gateway');
    expect(() => targetUrl('ftp://x')).toThrow(/http\(s\)/);
  });
});
