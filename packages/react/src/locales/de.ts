import type { ShareflowLanguage } from '../messages'

/**
 * German. A chunk of its own: `<ShareflowProvider locale="de-DE">` loads it on demand, and an app
 * that wants it in its first render imports it from its own subpath (re-exported from the main
 * entry, it would be in every host's first download, see src/coinflow.ts).
 *
 * @example
 * import { de } from '@shareflow/react/locales/de'
 * <ShareflowProvider locale="de-DE" messages={de}>
 */
export const de: ShareflowLanguage = {
  gateLoading: 'Deine Verifizierung wird geprüft…',
  gateStartTitle: 'Bestätige deine Identität',
  gateStartBody:
    'Vor deiner ersten Auszahlung bestätigen wir mit Persona, wer du bist. Das dauert nur wenige Minuten.',
  gateStartAction: 'Verifizierung starten',
  gateOpening: 'Persona wird geöffnet…',
  gateInProgressTitle: 'Schließe die Verifizierung bei Persona ab',
  gateInProgressBody:
    'Persona wurde in einem neuen Fenster geöffnet. Diese Seite aktualisiert sich, sobald du fertig bist.',
  gateInProgressAction: 'Verifizierung erneut öffnen',
  gateLeftBody:
    'Du hast Persona vor dem Abschluss geschlossen. Mach dort weiter, wo du aufgehört hast.',
  gateUnfinishedBody:
    'Deine Verifizierung ist noch nicht abgeschlossen. Mach dort weiter, wo du aufgehört hast.',
  gateContinueAction: 'Verifizierung fortsetzen',
  gateBlockedBody:
    'Dein Browser hat das Fenster für Persona blockiert. Öffne es stattdessen über diesen Link.',
  gateBlockedAction: 'Persona öffnen',
  gateSharingTitle: 'Deine Verifizierung wird mit Coinflow geteilt',
  gateSharingBody: 'Das dauert meist nur ein paar Sekunden.',
  gatePendingTitle: 'Coinflow prüft deine Angaben',
  gatePendingBody:
    'Lass diese Seite ruhig offen: Sie aktualisiert sich, sobald die Prüfung fertig ist.',
  gateMoreInfoTitle: 'Coinflow braucht noch ein paar Angaben',
  gateMoreInfoBody:
    'Beantworte ein paar Fragen auf der Seite von Coinflow und komm dann hierher zurück.',
  gateMoreInfoAction: 'Weiter zu Coinflow',
  gateRejectedTitle: 'Wir konnten deine Identität nicht bestätigen',
  gateRejectedBody:
    'Für dieses Konto sind keine Auszahlungen möglich. Bitte wende dich an den Support.',
  gateSupportAction: 'Support kontaktieren',
  gateExpiredTitle: 'Deine Verifizierung ist abgelaufen',
  gateExpiredBody: 'Starte neu, um mit deiner Auszahlung fortzufahren.',
  gateExpiredAction: 'Neu starten',
  gateApproved: 'Identität bestätigt.',
  reason_inquiry_failed:
    'Deine Identitätsprüfung war nicht erfolgreich. Du kannst eine neue beginnen.',
  reason_inquiry_declined: 'Deine Identität konnte nicht bestätigt werden.',
  reason_inquiry_expired:
    'Deine Identitätsprüfung ist abgelaufen, bevor sie fertig war. Du kannst dort weitermachen, wo du aufgehört hast.',
  reason_in_review:
    'Deine Identitätsprüfung wird gerade überprüft. Wir melden uns, sobald sie fertig ist.',
  reason_share_refused:
    'Deine Identitätsprüfung konnte nicht geteilt werden. Bitte verifiziere dich erneut.',
  reason_coinflow_rejected: 'Unser Auszahlungspartner konnte deine Identität nicht bestätigen.',
  reason_coinflow_expired:
    'Deine geteilte Verifizierung ist abgelaufen. Teile sie erneut, um fortzufahren.',
  errorTitle: 'Etwas ist schiefgelaufen',
  retry: 'Erneut versuchen',
  retryAmount: '{amount} erneut versuchen',
  reference: 'Referenz: {requestId}',
  opensInNewTab: '(öffnet in einem neuen Tab)',

  amountLabel: 'Betrag',
  amountInvalid: 'Gib einen Betrag in {currency} ein.',
  speedLegend: 'Auszahlungsgeschwindigkeit',
  quoteIdle: 'Gib einen Betrag ein, um die Auszahlungsoptionen zu sehen.',
  quoteNoDestination: 'Verknüpfe ein Auszahlungskonto, um die Optionen zu sehen.',
  quoteLoading: 'Preise werden abgerufen…',
  quoteExpired: 'Diese Preise sind abgelaufen.',
  quoteRefresh: 'Preise aktualisieren',
  quoteFee: 'Gebühr {fee}',
  quoteReceive: 'Du erhältst {amount}',
  quoteArrives: 'Ankunft {relative}',
  quoteSentAs: 'Gesendet als {speed}',
  speed_card: 'Sofort auf die Karte',
  speed_asap: 'Sofortüberweisung',
  speed_same_day: 'Am selben Tag',
  speed_standard: 'Standardüberweisung',
  speed_iban: 'Banküberweisung',
  speed_pix: 'PIX',
  unavailable_over_limit: 'Über dem Limit von {limit}',
  unavailable_not_supported: 'Für dieses Konto nicht verfügbar',
  unavailable_fee_exceeds_amount: 'Die Gebühr ist höher als der Betrag',

  withdraw: '{amount} auszahlen',
  withdrawPlain: 'Auszahlen',
  withdrawLink: 'Auszahlungskonto verknüpfen',
  withdrawChooseSpeed: 'Wähle zuerst eine Auszahlungsgeschwindigkeit.',
  withdrawPreparing: 'Wird vorbereitet…',
  withdrawLinking: 'Konto wird verknüpft…',
  withdrawSubmitting: 'Wird gesendet…',
  withdrawProcessing: 'Deine Auszahlung von {amount} ist unterwegs.',
  withdrawSucceeded: '{amount} per {speed} ausgezahlt.',
  withdrawFailed: 'Die Auszahlung ist fehlgeschlagen: {reason}',
  withdrawFailedUnknown: 'Die Auszahlung ist fehlgeschlagen.',
  withdrawAgain: 'Neue Auszahlung',
  frameTitle: 'Auszahlungskonto mit Coinflow verknüpfen',
  frameHeading: 'Auszahlungskonto verknüpfen',
  frameLoading: 'Coinflow wird geladen…',
  frameClose: 'Schließen',
  frameLinkFailed: 'Coinflow konnte dieses Konto nicht verknüpfen. Versuchen Sie ein anderes.',
  frameLinkFailedCard:
    'Coinflow konnte diese Karte nicht verknüpfen: Sie kann keine Auszahlungen empfangen. Versuchen Sie eine andere Karte oder ein anderes Konto.',

  error_invalid_request: 'Einige Angaben sind ungültig.',
  error_unauthenticated: 'Bitte melde dich erneut an.',
  error_forbidden: 'Diese Aktion ist nicht erlaubt.',
  error_not_found: 'Das konnten wir nicht finden.',
  error_payload_too_large: 'Bei uns ist etwas schiefgelaufen.',
  error_idempotency_key_reused: 'Diese Auszahlung wurde bereits mit anderen Angaben angefordert.',
  error_idempotency_key_missing: 'Bei uns ist etwas schiefgelaufen.',
  error_conflict: 'Gerade läuft noch etwas anderes. Versuche es gleich noch einmal.',
  error_rate_limited: 'Zu viele Versuche. Versuche es gleich noch einmal.',
  error_kyc_required: 'Bestätige zuerst deine Identität.',
  error_verification_required: 'Coinflow braucht zuerst weitere Angaben.',
  error_destination_not_found: 'Dieses Auszahlungskonto ist nicht mehr verknüpft.',
  error_amount_not_allowed:
    'Dieser Betrag ist für dieses Konto oder diese Geschwindigkeit nicht erlaubt.',
  error_quote_changed:
    'Der Preis hat sich geändert. Prüfe die neue Gebühr und zahle dann erneut aus.',
  error_payout_refused: 'Die Auszahlung wurde abgelehnt.',
  error_payouts_unavailable: 'Auszahlungen sind gerade nicht möglich. Versuche es später erneut.',
  error_upstream_unavailable: 'Der Dienst ist nicht erreichbar. Versuche es gleich noch einmal.',
  error_internal: 'Bei uns ist etwas schiefgelaufen.',

  // Money: the balance, where the payout goes, the payouts so far.
  amountOverBalance: 'Dein Guthaben beträgt {balance}.',
  historyLoading: 'Deine Auszahlungen werden geladen…',
  historyEmpty: 'Noch keine Auszahlungen.',
  historyMore: 'Ältere Auszahlungen zeigen',
  history_processing: 'Unterwegs',
  history_succeeded: 'Ausgezahlt',
  history_failed: 'Fehlgeschlagen',
  history_refused: 'Nicht gesendet. Deinem Guthaben wurde nichts abgezogen.',
}
