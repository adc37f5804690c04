import { routePath } from '../logic/routes.js';
import { ErrorBox, Loading } from './feedback.js';
import { Link } from './router.js';

/** The top of a stage's report: the way back to its execution, the title, and what the load came to. */
export function StageReportHeader(props: {
  executionId: string;
  stageId: string;
  title: string;
  /** What is loading, for the status line: "the canary report". */
  what: string;
  error: Error | undefined;
  loaded: boolean;
}) {
  return (
    <>
      <p>
        <Link href={routePath({ page: 'execution', executionId: props.executionId, stageId: props.stageId })}>
          ← the execution
        </Link>
      </p>
      <h1>{props.title}</h1>
      {props.error && <ErrorBox error={props.error} />}
      {!props.loaded && !props.error && <Loading what={props.what} />}
    </>
  );
}
