import { statusLook } from '../logic/status.js';

/** A status as an icon and a word, coloured by tone: readable without the colour. */
export function StatusBadge(props: { status: string; text?: string; compact?: boolean }) {
  const look = statusLook(props.status);
  return (
    <span class={`badge tone-${look.tone}`} title={look.label}>
      <span aria-hidden="true">{look.icon}</span>{' '}
      {props.compact ? <span class="visually-hidden">{look.label}</span> : (props.text ?? look.label)}
    </span>
  );
}
