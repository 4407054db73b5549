// Before the first start: what this is and three things to try.
import { t } from '../i18n';

export function EmptyState() {
  return (
    <div className="empty-state" data-testid="empty-state">
      <h1>{t('banners.emptyTitle')}</h1>
      <p>{t('banners.emptyBody')}</p>
      <ol>
        <li>{t('banners.emptySteps.zombies')}</li>
        <li>{t('banners.emptySteps.backlog')}</li>
        <li>{t('banners.emptySteps.details')}</li>
      </ol>
    </div>
  );
}
