// The desktop's native open and save dialogs, answered by main (the engine never sees them): the
// renderer asks, the person chooses, and only the chosen path goes back. Written against a small
// interface so tests can drive it without Electron.
import type { FileDialogOptions } from '../common/ipc/contract';

export interface DialogApi {
  showOpenDialog(options: { title: string; properties: string[]; filters?: { name: string; extensions: string[] }[] }): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(options: { title: string; defaultPath?: string; filters?: { name: string; extensions: string[] }[]; properties?: string[] }): Promise<{ canceled: boolean; filePath?: string }>;
}

export type DialogRequest = { kind: 'open' | 'save'; options: FileDialogOptions };

/** Checks what the renderer sent (it is untrusted input like any other) and shows the dialog. */
export async function showDialog(api: DialogApi, request: unknown): Promise<string | null> {
  const r = request as DialogRequest | null;
  if (!r || (r.kind !== 'open' && r.kind !== 'save') || typeof r.options !== 'object' || r.options === null) throw new Error('Malformed dialog request.');
  const title = String(r.options.title ?? '').slice(0, 200);
  const filters = Array.isArray(r.options.filters)
    ? r.options.filters.slice(0, 10).map((f) => ({ name: String(f.name).slice(0, 100), extensions: (Array.isArray(f.extensions) ? f.extensions : []).map((e) => String(e).replace(/[^\w.-]/g, '').slice(0, 20)).slice(0, 20) }))
    : undefined;
  if (r.kind === 'open') {
    const result = await api.showOpenDialog({ title, properties: [r.options.folder ? 'openDirectory' : 'openFile'], ...(filters && !r.options.folder ? { filters } : {}) });
    return result.canceled || !result.filePaths[0] ? null : result.filePaths[0];
  }
  const defaultName = r.options.defaultName ? String(r.options.defaultName).replace(/[\\/]/g, '-').slice(0, 200) : undefined;
  const result = await api.showSaveDialog({ title, ...(defaultName ? { defaultPath: defaultName } : {}), ...(filters ? { filters } : {}), properties: ['showOverwriteConfirmation', 'createDirectory'] });
  return result.canceled || !result.filePath ? null : result.filePath;
}
