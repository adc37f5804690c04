import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type Session } from '../api/client.js';

/** Who is looking, and what their role lets them do (buttons show only when it will work). */
export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session | undefined {
  return useContext(SessionContext);
}
