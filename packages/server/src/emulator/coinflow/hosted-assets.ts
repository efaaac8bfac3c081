/**
 * The hosted pages' only script and stylesheet, served as files so the pages run under a strict
 * Content-Security-Policy (`script-src 'self'; style-src 'self'`, nothing inline).
 */

/**
 * Speaks the iframe protocol `CoinflowWithdraw` listens for: every message is a JSON *string*
 * `{method, data, info?}` posted to the parent (or the opener of a popup). The page's server
 * side marks what happened with `data-*` attributes on `<body>`; this script only reports it.
 *
 * @see https://docs.coinflow.cash/guides/payouts/bank-auth
 */
export const WITHDRAW_SCRIPT = `(function () {
  'use strict';
  var params = new URLSearchParams(window.location.search);
  var heightId = params.get('useHeightChange');
  var linkRedirect = params.get('bankAccountLinkRedirect');
  var framed = window.parent !== window;
  var target = framed ? window.parent : window.opener;
  var body = document.body;

  function post(method, data, info) {
    if (!target) return;
    var message = { method: method, data: data };
    if (info !== undefined) message.info = info;
    // The page cannot know the host's origin; nothing in these messages is secret.
    target.postMessage(JSON.stringify(message), '*');
  }

  var lastHeight = '';
  function reportHeight() {
    if (!heightId) return;
    // The body's own height: the document's scrollHeight never drops below the frame's height.
    var height = String(Math.ceil(body.getBoundingClientRect().height));
    if (height === lastHeight) return;
    lastHeight = height;
    post('heightChange:' + heightId, height);
  }

  post('loaded', '');
  reportHeight();
  if (typeof ResizeObserver === 'function') new ResizeObserver(reportHeight).observe(body);
  Array.prototype.forEach.call(document.querySelectorAll('details'), function (details) {
    details.addEventListener('toggle', reportHeight);
  });

  var linkedType = body.getAttribute('data-linked-type');
  if (linkedType) {
    post('accountLinked', 'accountLinked', {
      type: linkedType,
      tokens: [body.getAttribute('data-linked-token')],
    });
    // Outside a frame (mobile, a new tab) the person goes back to the app, as Coinflow's page does.
    if (!framed && linkRedirect) window.location.assign(linkRedirect);
  }

  var failedType = body.getAttribute('data-link-failed-type');
  if (failedType) post('accountNotLinked', 'accountNotLinked', { type: failedType, reason: 'failed' });

  var inputErrorType = body.getAttribute('data-input-error-type');
  if (inputErrorType) {
    post('inputError', 'inputError', {
      type: inputErrorType,
      message: body.getAttribute('data-input-error') || '',
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-cancel]'), function (button) {
    button.addEventListener('click', function () {
      post('accountNotLinked', 'accountNotLinked', {
        type: button.getAttribute('data-cancel'),
        reason: 'canceled',
      });
      var details = button.closest('details');
      if (details) details.open = false;
    });
  });
})();
`

export const HOSTED_STYLES = `:root {
  color-scheme: light;
  --ink: #14213d;
  --muted: #5c6784;
  --line: #d9deea;
  --accent: #3b5bdb;
  --danger: #c92a2a;
  --ok: #2b8a3e;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  color: var(--ink);
}
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; background: #fff; }
main { max-width: 480px; margin: 0 auto; }
h1 { font-size: 1.25rem; margin: 0 0 4px; }
h2 { font-size: 1rem; margin: 16px 0 8px; }
p { margin: 4px 0 12px; color: var(--muted); line-height: 1.4; }
.badge { display: inline-block; font-size: 0.75rem; padding: 2px 6px; border-radius: 4px; background: #edf2ff; color: var(--accent); }
.notice { padding: 10px 12px; border-radius: 6px; margin: 12px 0; }
.notice.ok { background: #ebfbee; color: var(--ok); }
.notice.error { background: #fff5f5; color: var(--danger); }
ul.accounts { list-style: none; padding: 0; margin: 0 0 12px; }
ul.accounts li { padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 6px; }
details { border: 1px solid var(--line); border-radius: 8px; margin-bottom: 10px; }
summary { cursor: pointer; padding: 12px; font-weight: 600; }
form { padding: 0 12px 12px; }
label { display: block; font-size: 0.875rem; margin: 8px 0 4px; }
input, select { width: 100%; padding: 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
fieldset { border: 0; padding: 0; margin: 0; }
.row { display: flex; gap: 8px; }
.row > * { flex: 1; }
.hint { font-size: 0.75rem; color: var(--muted); margin: 4px 0 0; }
.actions { display: flex; gap: 8px; margin-top: 12px; }
button { padding: 9px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
a { color: var(--accent); }
`
