// Docket's only script: start GOV.UK Frontend, make htmx requests carry the CSRF token, and
// warn before leaving a form with unsaved changes. Every page works without it.
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

// Forms marked data-warn-unsaved: warn before leaving with changes not yet saved.
// An autosave that succeeds (its status says "Saved at") counts as saved.
for (const form of document.querySelectorAll('form[data-warn-unsaved]')) {
  let dirty = false
  form.addEventListener('input', () => { dirty = true })
  form.addEventListener('change', () => { dirty = true })
  form.addEventListener('submit', () => { dirty = false })
  form.addEventListener('htmx:afterRequest', (event) => {
    if (event.detail.successful && /Saved at/.test(event.detail.xhr.responseText)) dirty = false
  })
  window.addEventListener('beforeunload', (event) => {
    if (dirty) {
      event.preventDefault()
      event.returnValue = ''
    }
  })
}
