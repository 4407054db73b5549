// Before the first start: what this is and three things to try.
import { t } from '../i18n';
import { useApp } from '../store/react';

export function EmptyState() {
  const openLessons = useApp((s) => s.openLessons);
  return (
    <div className="empty-state" data-testid="empty-state">
      <h1>{t('banners.emptyTitle')}</h1>
      <p>{t('banners.emptyBody')}</p>
      <ol>
        <li>{t('banners.emptySteps.zombies')}</li>
        <li>{t('banners.emptySteps.backlog')}</li>
        <li>{t('banners.emptySteps.details')}</li>
      </ol>
      <button type="button" className="primary begin-lessons" onClick={() => openLessons(true)} data-testid="begin-lessons">
        {t('banners.beginLessons')}
      </button>
    </div>
  );
}
