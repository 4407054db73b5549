// Before the first start: what this is and three things to try.
import * as S from '../strings';

export function EmptyState() {
  return (
    <div className="empty-state" data-testid="empty-state">
      <h1>{S.banners.emptyTitle}</h1>
      <p>{S.banners.emptyBody}</p>
      <ol>
        {S.banners.emptySteps.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
    </div>
  );
}
