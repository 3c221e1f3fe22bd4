// Reads what a person dropped on the window: one file, or a whole folder (walked recursively with
// the File and Directory Entries API that Chromium and Electron support).

export interface DroppedFiles {
  name: string;
  files: { path: string; file: File }[];
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(dir: FileSystemDirectoryEntry, prefix: string, out: { path: string; file: File }[]): Promise<void> {
  const reader = dir.createReader();
  // readEntries returns at most ~100 entries per call: keep reading until it returns none.
  for (let batch = await readEntries(reader); batch.length; batch = await readEntries(reader)) {
    for (const e of batch) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory) await walk(e as FileSystemDirectoryEntry, `${prefix}${e.name}/`, out);
      else out.push({ path: `${prefix}${e.name}`, file: await fileOf(e as FileSystemFileEntry) });
    }
  }
}

export async function filesFromDrop(event: DragEvent): Promise<DroppedFiles | null> {
  const item = event.dataTransfer?.items?.[0];
  const entry = item?.webkitGetAsEntry?.();
  if (entry?.isDirectory) {
    const files: { path: string; file: File }[] = [];
    await walk(entry as FileSystemDirectoryEntry, '', files);
    return { name: entry.name, files };
  }
  const file = event.dataTransfer?.files?.[0];
  return file ? { name: file.name.replace(/\.[^.]+$/, ''), files: [{ path: file.name, file }] } : null;
}
