import { type MessageView } from '../templates/view.js';

/** A message rendered when its event came in: what the per-event channels send. */
export interface RenderedMessage {
  title: string;
  body: string;
  view: MessageView;
  /** When the event happened. */
  time: string;
}
