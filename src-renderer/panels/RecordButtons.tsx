// Open a recording, save one, export HAR — in the top bar, live and in replay alike.
import { useRef } from 'react';
import { t } from '../i18n';
import { useApp, useAppStore } from '../store/react';
import type { AppStore } from '../store/store';

/** Reads a file the person chose or dropped and shows it. */
export async function openFile(store: AppStore, file: File): Promise<void> {
  await store.getState().openRecordingText(await file.text(), file.name);
}

export function RecordButtons() {
  const store = useAppStore();
  const input = useRef<HTMLInputElement>(null);
  const askSave = useApp((s) => s.askSave);
  const exportHar = useApp((s) => s.exportHar);
  const busy = useApp((s) => s.recordBusy !== null || s.opening !== null);
  return (
    <span className="record-buttons">
      <button type="button" className="ghost" onClick={() => input.current?.click()} disabled={busy} title={t('record.openTitle')} data-testid="record-open">
        {t('record.open')}…
      </button>
      <input
        ref={input}
        type="file"
        hidden
        accept=".jsonl,.ndjson,.json,application/x-ndjson,application/json,text/plain"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void openFile(store, file);
        }}
        data-testid="record-open-input"
      />
      <button type="button" className="ghost" onClick={askSave} disabled={busy} title={t('record.saveTitle')} data-testid="record-save">
        {t('record.save')}
      </button>
      <button type="button" className="ghost" onClick={() => void exportHar()} disabled={busy} title={t('record.exportHarTitle')} data-testid="export-har">
        {t('record.exportHar')}
      </button>
    </span>
  );
}
