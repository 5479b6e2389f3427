// Docket's only script: start GOV.UK Frontend, and make htmx requests carry the CSRF token.
// Every page works without it; this only makes things smoother.
import { initAll } from '/static/vendor/govuk-frontend/govuk-frontend.min.js'

initAll()

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content

document.body.addEventListener('htmx:configRequest', (event) => {
  if (csrfToken) event.detail.headers['X-CSRFToken'] = csrfToken
})

// Components inside content that htmx swapped in need starting too.
document.body.addEventListener('htmx:afterSwap', (event) => {
  initAll({ scope: event.detail.elt })
})
