// An indicator value's RAG and direction of travel, worked out as the owner types, by the same
// rules as app/updates/rules.py (value_rag: amber within 5% of the target; direction: against the
// latest known result) and app/updates/units.py (the unit may be written with the number).
// Without JavaScript the page shows the same, worked out on the server when the value is saved.
const SHAPE = /^([-−]?)(£?)([-−]?)(\d*\.?\d+|\d+\.)(k|m|bn)?(%?)$/i
const SCALE = { k: 1e3, m: 1e6, bn: 1e9 }
const COLOURS = {
  Red: 'govuk-tag--red',
  Amber: 'govuk-tag--orange',
  Green: 'govuk-tag--green',
  Good: 'govuk-tag--green',
  Bad: 'govuk-tag--red'
}

function parse (text) {
  const cleaned = (text || '').replace(/[\s,]/g, '')
  if (!cleaned) return null
  const found = SHAPE.exec(cleaned)
  if (!found) return NaN
  let value = parseFloat(found[4]) * (found[5] ? SCALE[found[5].toLowerCase()] : 1)
  if (found[1] || found[3]) value = -value
  return value
}

function rag (value, target, polarity) {
  if (polarity === 'neutral') return 'Not judged (neutral)'
  if (target === null) return 'No target'
  const band = Math.abs(target) * 0.05
  if (polarity === 'up_is_good') return value >= target ? 'Green' : (value >= target - band ? 'Amber' : 'Red')
  return value <= target ? 'Green' : (value <= target + band ? 'Amber' : 'Red')
}

function direction (value, previous, polarity) {
  if (previous === null) return 'No earlier value'
  if (value === previous || polarity === 'neutral') return 'Neutral'
  return (value > previous) === (polarity === 'up_is_good') ? 'Good' : 'Bad'
}

function show (tag, text) {
  if (!tag || tag.textContent === text) return
  tag.textContent = text
  tag.className = 'govuk-tag ' + (COLOURS[text] || 'govuk-tag--grey')
}

const asNumber = (text) => (text === undefined || text === '' ? null : parseFloat(text))

for (const judge of document.querySelectorAll('[data-judge-for]')) {
  const input = document.getElementById(judge.dataset.judgeFor)
  if (!input) continue
  const target = asNumber(judge.dataset.target)
  const previous = asNumber(judge.dataset.previous)
  const polarity = judge.dataset.polarity
  const ragTag = judge.querySelector('[data-judge-rag]')
  const directionTag = judge.querySelector('[data-judge-direction]')
  input.addEventListener('input', () => {
    const value = parse(input.value)
    if (value === null || Number.isNaN(value)) {
      const text = value === null ? 'No value yet' : 'Not a number yet'
      show(ragTag, text)
      show(directionTag, text)
      return
    }
    show(ragTag, rag(value, target, polarity))
    show(directionTag, direction(value, previous, polarity))
  })
}
