import { describe, expect, it } from '@jest/globals';
import { maskSecrets, registerSecret } from './secrets.js';

describe('maskSecrets', () => {
  it('hides passwords in connection URLs but keeps the rest readable', () => {
    expect(maskSecrets('connect postgres://aviary:s3cr3t-pw@db:5432/aviary failed')).toBe(
      'connect postgres://aviary:****@db:5432/aviary failed',
    );
  });

  it('hides a token used as the user part of a clone URL', () => {
    expect(maskSecrets('git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/acme/app')).toBe(
      'git clone https://****@github.com/acme/app',
    );
  });

  it('hides bearer tokens, provider tokens and key=value secrets', () => {
    const text = 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y token=abc12345 glpat-aaaaaaaaaaaaaaaaaaaaaa';
    const masked = maskSecrets(text);
    expect(masked).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(masked).not.toContain('abc12345');
    expect(masked).not.toContain('glpat-');
  });

  it('hides values registered as secrets wherever they appear', () => {
    registerSecret('hunter2-webhook-secret');
    expect(maskSecrets('signature computed with hunter2-webhook-secret')).toBe(
      'signature computed with ****',
    );
  });

  it('leaves ordinary text alone', () => {
    const text = 'stage build succeeded in 12 s at https://aviary.example.com/executions/42';
    expect(maskSecrets(text)).toBe(text);
  });
});
