// Docket's only script: start GOV.UK Frontend, make htmx requests carry the CSRF token, show
// error responses, and warn before leaving a form with unsaved changes. Every page works
// without it.
import { initAll } from '/static/vendor/govuk-frontend/govuk-frontend.min.js'

initAll()

// Errors are seen with JavaScript on too, for every htmx form, by this one rule (htmx 2 on its
// own does not swap a 4xx or 5xx response, so a refusal would leave the page as it was). A
// refusal (400 bad input, 409 a stale or repeated move, 413 too large) or an error page is
// Docket's whole page again, with the error summary and the messages beside the fields and
// what was typed: it replaces the page body, whatever the form itself targets, exactly as the
// page without JavaScript would. The response tells htmx to leave the address bar alone
// (HX-Push-Url: false, app/htmx.py), as the page shown is the page the person is on.
if (window.htmx) {
  window.htmx.config.responseHandling = [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '[45]..', swap: true, error: true, target: 'body', select: 'unset', swapOverride: 'innerHTML' }
  ]
}

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content

document.body.addEventListener('htmx:configRequest', (event) => {
  if (csrfToken) event.detail.headers['X-CSRFToken'] = csrfToken
})

// Components inside content that htmx swapped in need starting too.
document.body.addEventListener('htmx:afterSwap', (event) => {
  initAll({ scope: event.detail.elt })
})

// After htmx swapped in content with an error summary, move focus to it, as GOV.UK Frontend's
// ErrorSummary does when a page loads (afterSettle comes last, after htmx restores focus).
document.body.addEventListener('htmx:afterSettle', (event) => {
  const swapped = event.detail.target
  const summary = swapped && swapped.isConnected && swapped.querySelector('.govuk-error-summary')
  if (!summary) return
  summary.setAttribute('tabindex', '-1')
  summary.addEventListener('blur', () => summary.removeAttribute('tabindex'), { once: true })
  summary.focus()
})

// Forms marked data-warn-unsaved: warn before leaving with changes not yet saved.
// An autosave that succeeds (its status says "Saved at") counts as saved. The listeners are on
// the document, so a form that htmx swapped in (a refusal shown again) is watched too.
let unsaved = false
const warned = (event) => event.target instanceof Element && event.target.closest('form[data-warn-unsaved]')
document.addEventListener('input', (event) => { if (warned(event)) unsaved = true })
document.addEventListener('change', (event) => { if (warned(event)) unsaved = true })
document.addEventListener('submit', (event) => { if (warned(event)) unsaved = false })
document.addEventListener('htmx:afterRequest', (event) => {
  if (warned(event) && event.detail.successful && /Saved at/.test(event.detail.xhr.responseText)) unsaved = false
})
window.addEventListener('beforeunload', (event) => {
  if (unsaved) {
    event.preventDefault()
    event.returnValue = ''
  }
})
