import type { KubeObject } from '../resources/kube-object.js';

/** `complete`: the containers run for `runMs`, write `logs`, then terminate with `exitCode` (a build step, a Job). */
export type PodBehaviourKind = 'ready' | 'imagePullBackOff' | 'crashLoopBackOff' | 'unready' | 'complete';

/** Which pods behave how: matched by image (a RegExp, or a string for an exact image), labels, namespace. */
export interface PodBehaviourRule {
  behaviour: PodBehaviourKind;
  image?: RegExp | string;
  labels?: Record<string, string>;
  namespace?: string;
  /** For `ready`: how long the containers run before they report ready. */
  readyDelayMs?: number;
  /** For `complete`: how long the containers run (default: the ready delay), their exit code (default 0) and log. */
  runMs?: number;
  exitCode?: number;
  logs?: string[];
}

export interface PodBehaviourDecision {
  behaviour: PodBehaviourKind;
  readyDelayMs: number;
  runMs: number;
  exitCode: number;
}

export interface PodBehaviourDefaults {
  podReadyDelayMs: number;
  failingImages?: RegExp;
  crashingImages?: RegExp;
  unreadyImages?: RegExp;
}

/** The rules, newest first; a pod no rule matches becomes ready after the default delay. */
export class PodBehaviours {
  private readonly rules: PodBehaviourRule[] = [];
  /** The log each pod that runs to completion writes, by pod uid. */
  private readonly scripts = new Map<string, string[]>();

  constructor(private readonly defaults: PodBehaviourDefaults) {
    if (defaults.unreadyImages) this.rules.push({ behaviour: 'unready', image: defaults.unreadyImages });
    if (defaults.crashingImages)
      this.rules.push({ behaviour: 'crashLoopBackOff', image: defaults.crashingImages });
    if (defaults.failingImages)
      this.rules.push({ behaviour: 'imagePullBackOff', image: defaults.failingImages });
  }

  add(rule: PodBehaviourRule): void {
    this.rules.unshift(rule);
  }

  decide(pod: KubeObject): PodBehaviourDecision {
    const rule = this.rules.find((r) => matchesRule(r, pod));
    const readyDelayMs = rule?.readyDelayMs ?? this.defaults.podReadyDelayMs;
    if (rule?.behaviour === 'complete' && pod.metadata.uid)
      this.scripts.set(pod.metadata.uid, rule.logs ?? []);
    return {
      behaviour: rule?.behaviour ?? 'ready',
      readyDelayMs,
      runMs: rule?.runMs ?? readyDelayMs,
      exitCode: rule?.exitCode ?? 0,
    };
  }

  /** The whole log of a pod that runs to completion, or undefined for other pods. */
  scriptedLogs(pod: KubeObject): string[] | undefined {
    return pod.metadata.uid ? this.scripts.get(pod.metadata.uid) : undefined;
  }
}

function imagesOf(pod: KubeObject): string[] {
  const containers = (pod.spec as { containers?: Array<{ image?: string }> } | undefined)?.containers ?? [];
  return containers.map((c) => c.image ?? '');
}

function matchesRule(rule: PodBehaviourRule, pod: KubeObject): boolean {
  const { image, labels, namespace } = rule;
  if (namespace !== undefined && pod.metadata.namespace !== namespace) return false;
  if (labels && !Object.entries(labels).every(([k, v]) => pod.metadata.labels?.[k] === v)) return false;
  if (image instanceof RegExp) return imagesOf(pod).some((i) => ((image.lastIndex = 0), image.test(i)));
  if (typeof image === 'string') return imagesOf(pod).includes(image);
  return true;
}
