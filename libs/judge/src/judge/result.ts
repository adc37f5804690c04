import { type Stats } from '../stats/descriptive.js';

export type Classification = 'Pass' | 'High' | 'Low' | 'Nodata' | 'NodataFailMetric' | 'Error';
export type ScoreClassification = 'Pass' | 'Marginal' | 'Fail';

export interface Thresholds {
  pass: number;
  marginal: number;
}

/** Kayenta's MetricSetPair: one metric's baseline (control) and canary (experiment) series for one label set. */
export interface MetricSetPair {
  name: string;
  id?: string;
  tags?: Record<string, string>;
  values: { control: number[]; experiment: number[] };
  /** Ratio metrics (Aviary): `values` hold the numerator's increments, these the denominator's. */
  denominators?: { control: number[]; experiment: number[] };
}

/** How the judge reached a metric's classification, for people and for the UI. */
export interface MetricAnalysis {
  method: 'mann-whitney-asymptotic' | 'mann-whitney-exact' | 'proportion' | 'none';
  estimate?: number;
  interval?: { lower: number; upper: number; confLevel: number };
  /** The band around zero the interval must clear: ± tolerance × |estimate|. */
  band?: { lower: number; upper: number; tolerance: number };
  effectSize?: {
    measure: 'meanRatio' | 'cles' | 'rateRatio';
    value: number;
    allowedIncrease: number;
    allowedDecrease: number;
    criticalIncrease: number;
    criticalDecrease: number;
  };
  direction: 'increase' | 'decrease' | 'either';
  sampleSize: { baseline: number; canary: number };
  removed: { baselineNaN: number; canaryNaN: number; baselineOutliers: number; canaryOutliers: number };
  rates?: { baseline: number; canary: number; baselineEvents: number; canaryEvents: number };
  rootTolerance?: number;
}

/** Kayenta's CanaryAnalysisResult, plus `explanation` and `analysis`. */
export interface MetricResult {
  name: string;
  id: string;
  tags: Record<string, string>;
  groups: string[];
  muted: boolean;
  classification: Classification;
  classificationReason?: string;
  critical: boolean;
  resultMetadata?: { ratio: number };
  experimentMetadata: { stats: Stats };
  controlMetadata: { stats: Stats };
  explanation: string;
  analysis?: MetricAnalysis;
}

export interface GroupScore {
  name: string;
  score: number;
  classification: string;
  classificationReason: string;
  /** Aviary: the weight the group counted with, and whether it had no scoreable metric. */
  weight: number;
  noData: boolean;
}

/** Kayenta's CanaryJudgeResult, plus the explanation of the summary. */
export interface CanaryJudgeResult {
  judgeName: string;
  results: MetricResult[];
  groupScores: GroupScore[];
  score: {
    score: number;
    classification: ScoreClassification;
    classificationReason: string;
    explanation: string;
  };
}
