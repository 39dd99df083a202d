import type { SubgraphContext } from '@flowforge/runtime';
import type { SessionRepository } from './data/sessions.js';
import type { FocusService } from './services/focus.js';

export interface Context extends SubgraphContext {
  sessions: SessionRepository;
  focus: FocusService;
}
