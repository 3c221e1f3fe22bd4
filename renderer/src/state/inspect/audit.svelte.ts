// The shortcut audit of the run: CAM heat on borders and corners or in one place across a class.
import type { AuditReply } from '../../../../common/ipc/contract';
import { backend } from '../../lib/backend';
import { message, type InspectSelection } from './selection';

export class AuditState {
  reply = $state.raw<AuditReply | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly selection: InspectSelection) {}

  clear(): void {
    this.reply = null;
  }

  async run(): Promise<void> {
    const runId = this.selection.runId;
    if (!runId) return;
    this.loading = true;
    this.error = null;
    try {
      this.reply = await backend.invoke('inspect.audit', { runId, top: 24 });
    } catch (e) {
      this.error = message(e);
    } finally {
      this.loading = false;
    }
  }
}
