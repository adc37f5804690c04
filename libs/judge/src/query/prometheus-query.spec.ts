import { describe, expect, it } from '@jest/globals';
import { parseCanaryConfig } from '../config/canary-config.js';
import { matches, parseMatcher } from './matchers.js';
import { buildPrometheusQueries, QueryBuildError } from './prometheus-query.js';

function config(query: Record<string, unknown>, templates: Record<string, string> = {}) {
  return parseCanaryConfig({
    templates,
    metrics: [{ name: 'm', query: { type: 'prometheus', ...query } }],
  });
}
const scope = { scope: 'payments-canary', location: 'production', step: 5 };
const build = (
  query: Record<string, unknown>,
  templates: Record<string, string> = {},
  s: Record<string, unknown> = scope,
) => buildPrometheusQueries(config(query, templates), 'm', { step: 5, ...s });

describe('Prometheus queries built as Kayenta builds them', () => {
  it('the team’s request_duration: a filter template with ${scope} and ${location}', () => {
    expect(
      build(
        { metricName: 'http_request_duration_ms_sum', customFilterTemplate: 'pod-ns' },
        { 'pod-ns': 'pod=~"${scope}.*",namespace="${location}"' },
      ),
    ).toEqual({
      query: 'avg(http_request_duration_ms_sum{pod=~"payments-canary.*",namespace="production"})',
    });
  });

  it('template tokens first, then labelBindings; groupByFields after avg', () => {
    expect(
      build({
        metricName: 'http_errors_total',
        customInlineTemplate: 'pod=~"${scope}.*"',
        labelBindings: ['code=~"5.."'],
        groupByFields: ['code', 'route'],
      }),
    ).toEqual({ query: 'avg(http_errors_total{pod=~"payments-canary.*",code=~"5.."}) by (code,route)' });
  });

  it('an inline template wins over a named one; extended scope parameters are variables too', () => {
    expect(
      build(
        { metricName: 'x', customInlineTemplate: 'app="${app}",env="${env}"', customFilterTemplate: 'named' },
        { named: 'ignored="1"' },
        { ...scope, extendedScopeParams: { app: 'payments', env: 'prod' } },
      ),
    ).toEqual({ query: 'avg(x{app="payments",env="prod"})' });
  });

  it('a PromQL: template is sent verbatim, after substitution', () => {
    expect(
      build({
        customInlineTemplate:
          'PromQL:histogram_quantile(0.99, sum(rate(http_request_duration_ms_bucket{pod=~"${scope}.*"}[1m])) by (le))',
      }),
    ).toEqual({
      query:
        'histogram_quantile(0.99, sum(rate(http_request_duration_ms_bucket{pod=~"payments-canary.*"}[1m])) by (le))',
    });
  });

  it('splits the filter on commas the way Java does (trailing empty parts dropped), values inserted raw', () => {
    expect(build({ metricName: 'x', customInlineTemplate: 'a="${scope}",' })).toEqual({
      query: 'avg(x{a="payments-canary"})',
    });
    expect(build({ metricName: 'x', customInlineTemplate: '$${scope}="1"' })).toEqual({
      query: 'avg(x{${scope}="1"})',
    });
  });

  it('the default filters of gce_instance and aws_ec2_instance without a template', () => {
    expect(
      build({ metricName: 'cpu', resourceType: 'gce_instance' }, {}, { ...scope, project: 'p1' }),
    ).toEqual({
      query: 'avg(cpu{instance=~"payments-canary-.{4}",zone=~".+/projects/p1/zones/production-.{1}"})',
    });
    expect(build({ metricName: 'cpu', resourceType: 'aws_ec2_instance', labelBindings: ['a="b"'] })).toEqual({
      query: 'avg(cpu{asg_groupName="payments-canary",zone=~"production.{1}",a="b"})',
    });
  });

  it('Aviary: rate of a counter, and a ratio metric’s increases per step', () => {
    expect(
      build({
        metricName: 'http_requests_total',
        customInlineTemplate: 'pod=~"${scope}.*"',
        rate: true,
        rateWindow: '30s',
      }),
    ).toEqual({
      query: 'avg(rate(http_requests_total{pod=~"payments-canary.*"}[30s]))',
    });
    expect(
      build({
        type: 'ratio',
        customInlineTemplate: 'pod=~"${scope}.*"',
        numerator: { metricName: 'http_errors_total', labelBindings: ['code=~"5.."'] },
        denominator: { metricName: 'http_requests_total' },
      }),
    ).toEqual({
      numerator: 'sum(increase(http_errors_total{pod=~"payments-canary.*",code=~"5.."}[5s]))',
      denominator: 'sum(increase(http_requests_total{pod=~"payments-canary.*"}[5s]))',
    });
  });

  it('fails as Kayenta fails, saying why', () => {
    expect(() => build({ metricName: 'x' })).toThrow(
      'Either a resource type or a custom filter is required.',
    );
    expect(() => build({ metricName: 'x', customFilterTemplate: 'nope' }, { other: 'a="b"' })).toThrow(
      'customFilterTemplate "nope" is not among the config\'s templates (other)',
    );
    expect(() => build({ metricName: 'x', customInlineTemplate: 'a="${who}"' })).toThrow(
      'customInlineTemplate: the variable ${who} has no value (known: scope, location)',
    );
    expect(() => build({ customInlineTemplate: 'a="b"' })).toThrow('metricName is required');
    expect(() => build({ metricName: 'x', customFilter: 'a="b"' })).toThrow(QueryBuildError);
    expect(() => build({ metricName: 'x', resourceType: 'k8s_pod' })).toThrow(/not supported/);
    expect(() => buildPrometheusQueries(config({ metricName: 'x' }), 'other', { step: 5 })).toThrow(
      'no metric "other" in the config (it has m)',
    );
  });
});

describe('label matchers', () => {
  it('parses the four operators and anchors regexes', () => {
    const labels = { code: '503', pod: 'payments-canary-1' };
    expect(parseMatcher('code=~"5.."')).toEqual({ label: 'code', op: '=~', value: '5..' });
    expect(matches(labels, parseMatcher('code=~"5.."')!)).toBe(true);
    expect(matches(labels, parseMatcher('code=~"5"')!)).toBe(false);
    expect(matches(labels, parseMatcher('pod!~"payments-baseline.*"')!)).toBe(true);
    expect(matches(labels, parseMatcher('code!="503"')!)).toBe(false);
    expect(matches(labels, parseMatcher('missing=""')!)).toBe(true);
    expect(parseMatcher('a="x\\"y"')).toEqual({ label: 'a', op: '=', value: 'x"y' });
    expect(parseMatcher('not a matcher')).toBeUndefined();
  });
});
