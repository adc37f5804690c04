import { type ComponentChildren } from 'preact';

/** A failure, in words, announced to screen readers. */
export function ErrorBox(props: { error: Error | string; children?: ComponentChildren }) {
  const message = typeof props.error === 'string' ? props.error : props.error.message;
  return (
    <div class="error-box" role="alert">
      <span aria-hidden="true">✗ </span>
      {message}
      {props.children}
    </div>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {props.what}…
    </p>
  );
}
