export {
  FIXTURES,
  REPO_ROOT,
  SAMPLE_APP,
  sampleAppReports,
  type SampleAppReports,
} from './sample-app-reports.js';
