import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../api/errors.js';
import { matches, parseLabelSelector, requirementsOf, selectorText } from './label-selector.js';

const labels = { app: 'web', 'aviary.dev/track': 'canary', tier: 'backend' };

describe('label selectors', () => {
  it.each([
    ['app=web', true],
    ['app==web,tier=backend', true],
    ['app!=web', false],
    ['aviary.dev/track in (baseline, canary)', true],
    ['aviary.dev/track notin (canary)', false],
    ['tier', true],
    ['!tier', false],
    ['missing notin (x)', true],
    ['app=web,aviary.dev/track in (stable)', false],
    ['', true],
  ])('%s matches: %s', (selector, expected) => {
    expect(matches(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('refuses what it cannot parse with a 400', () => {
    expect(() => parseLabelSelector('app in web')).toThrow(ApiError);
  });

  it('reads LabelSelector objects and writes them back as query text', () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    expect(matches(requirementsOf(selector), labels)).toBe(true);
    expect(selectorText(selector)).toBe('app=web,tier');
  });
});
