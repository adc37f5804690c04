import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret, and never stores it in clear', () => {
    const sealed = box.seal('s3cret-webhook-value', 'orders');
    expect(sealed).not.toContain('s3cret');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed, 'orders')).toBe('s3cret-webhook-value');
    expect(box.seal('same', 'orders')).not.toBe(box.seal('same', 'orders'));
  });

  it('refuses a ciphertext moved to another application, tampered with, or sealed under another key', () => {
    const sealed = box.seal('value', 'orders');
    expect(() => box.open(sealed, 'payments')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'orders')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'orders')).toThrow();
    expect(() => new SecretBox(randomBytes(16))).toThrow('32 bytes');
  });
});
