// Before a recording leaves the app: what it holds (every request's and response's bytes).
import { t } from '../i18n';
import { useApp } from '../store/react';

export function SaveDialog() {
  const open = useApp((s) => s.saveAsk);
  const replaying = useApp((s) => s.replay !== null);
  const save = useApp((s) => s.saveRecording);
  const cancel = useApp((s) => s.cancelSave);
  if (!open) return null;
  return (
    <div className="modal-backdrop" onClick={cancel}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="save-heading" onClick={(e) => e.stopPropagation()} data-testid="save-dialog">
        <h2 id="save-heading">{t('record.confirmHeading')}</h2>
        <p className="warn-text">⚠ {t('record.confirmSecrets')}</p>
        <p className="muted">{replaying ? t('record.confirmReplay') : t('record.confirmLive')}</p>
        <div className="modal-actions">
          <button type="button" className="ghost" onClick={cancel}>
            {t('record.cancel')}
          </button>
          <button type="button" className="primary" autoFocus onClick={() => void save()} data-testid="record-save-confirm">
            {t('record.confirmSave')}
          </button>
        </div>
      </div>
    </div>
  );
}
