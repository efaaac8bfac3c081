import { useI18n } from './i18n'

/** What every screen says when its data did not load, with the way to try again. */
export function LoadFailed({ onRetry }: { onRetry(): void }) {
  const { t } = useI18n()
  return (
    <p role="alert" className="alert">
      {t('loadFailed')}{' '}
      <button type="button" className="button button-quiet" onClick={onRetry}>
        {t('retry')}
      </button>
    </p>
  )
}
