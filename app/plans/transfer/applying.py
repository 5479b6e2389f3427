"""Storing a checked preview: all the rows or none, with the trail."""
from collections import Counter
from dataclasses import dataclass
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from app.demo.loader import infer_unit
from app.demo.text import key, leading_number
from app.extensions import db
from app.models import Action, Indicator, IndicatorResult, Milestone, Plan, PriorityTheme, Risk
from app.concurrency import touch, who_acted
from app.trail import record
from app.plans.transfer.columns import ATTR_LABELS, KINDS, NOUNS, StalePreview, TransferError, result_heading
from app.plans.transfer.state import PlanState
from app.plans.transfer.cells import _rag_after, NEW_DEFAULTS
from app.plans.transfer.previewing import Preview, _display, _same


@dataclass
class ImportResult:
    counts: dict  # kind -> Counter(new=, changed=, unchanged=)
    themes_created: int = 0
    updates: int = 0  # current-position updates stored (app/plans/baseline.py)
    people_added: list = None  # the people added to Docket, who cannot sign in yet

    def sentence(self) -> str:
        """"Imported 3 new actions, 1 changed action and 2 new risks." """
        parts = []
        for kind in KINDS:
            counts = self.counts.get(kind, Counter())
            for status in ("new", "changed"):
                n = counts[status]
                if n:
                    parts.append(f"{n} {status} {NOUNS[kind][0] if n == 1 else NOUNS[kind][1]}")
        if not parts and not self.updates:
            return "Nothing was imported: every row already matched the plan."
        if self.updates:
            parts.append(f"{self.updates} current-position {'update' if self.updates == 1 else 'updates'}")
        if self.people_added:
            n = len(self.people_added)
            parts.append(f"{n} new {'person' if n == 1 else 'people'} (who cannot sign in until invited)")
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        unchanged = sum(c["unchanged"] for c in self.counts.values())
        left = ("1 unchanged row was left as it was" if unchanged == 1
                else f"{unchanged} unchanged rows were left as they were")
        tail = f" {left}." if unchanged else ""
        return f"Imported {listed}.{tail}"


STALE_MESSAGE = ("The plan has changed since this import was checked (someone else edited it, or imported into it). "
          "Nothing has been saved. Check the import again: the preview now shows the plan as it is.")


def apply(plan: Plan, pv: Preview, actor=None, *, source: str | None = None) -> ImportResult:
    """Store every new and changed row of the preview, or nothing: one transaction, with a
    trail event per created or changed row and a "plan_imported" event. `actor` None is
    the system. Raises TransferError for a preview with problems, StalePreview if the plan
    changed after the preview was made."""
    if pv.plan_id != plan.id:
        raise TransferError("This import was checked against a different plan.")
    if not pv.ok:
        raise TransferError(f"The import has {len(pv.problems)} problem(s): fix them and check it again. "
                            "Nothing has been saved.")
    state = PlanState.load(plan, fresh=True)
    if state.fingerprint() != pv.fingerprint:
        raise StalePreview(STALE_MESSAGE)
    result = ImportResult(counts={})
    for table in pv.tables:
        result.counts.setdefault(table.kind, Counter()).update(table.counts)
    # The plan is the lock for its rows (app/concurrency.py, rule 3): the plan's row is updated
    # first, conditional on the version read with the plan, so of two confirmations of the same
    # preview (a double-click, two tabs) that both passed the check above, one stores the rows
    # and the other waits for it and is then refused, naming who imported and when.
    try:
        touch(plan)
        db.session.flush()
    except (StaleDataError, OperationalError) as exc:
        db.session.rollback()
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        db.session.expire_all()
        raise StalePreview(f"{who_acted(plan, 'this plan')} {STALE_MESSAGE}") from None
    try:
        added = _add_people(pv, actor, state)
        result.people_added = added
        baseline_rows = []
        themes = {key(t.title): t for t in state.themes}
        next_theme = max([t.position for t in state.themes], default=0) + 1
        next_indicator = max([i.position for i in state.indicators], default=0) + 1
        objects = {kind: {o.id: o for o in state.objects(kind)} for kind in KINDS}
        for table in pv.tables:
            for row in table.rows:
                if row.status not in ("new", "changed"):
                    continue
                values = dict(row.values)
                if isinstance(values.get("owner"), str):
                    values["owner"] = state.people.pending[values["owner"][4:]].id
                if table.kind == "actions" and values.get("theme"):
                    theme = themes.get(key(values["theme"]))
                    if theme is None:
                        theme = PriorityTheme(plan_id=plan.id, title=values["theme"], position=next_theme)
                        next_theme += 1
                        db.session.add(theme)
                        db.session.flush()
                        themes[key(theme.title)] = theme
                        result.themes_created += 1
                        record("theme_created", theme, actor=actor, version=None,
                               data={"changes": {"Title": [None, theme.title]}, "source": "import"})
                    values["theme"] = theme
                obj = objects[table.kind].get(row.target_id) if row.target_id else None
                new = obj is None
                if new:
                    obj = _new_object(table.kind, plan, values)
                    if table.kind == "indicators":
                        obj.position = next_indicator
                        next_indicator += 1
                _set_values(table.kind, obj, values, new)
                db.session.flush()
                changes = ({c.label: [c.old or None, c.new or None] for c in row.changes} if not new else
                           {ATTR_LABELS.get(a, a): [None, _display(a, v.title if a == "theme" and v else v,
                                                                   state.people)]
                            for a, v in values.items() if a != "results" and v not in (None, "", (), False)})
                if new and values.get("results"):
                    changes.update({result_heading(lbl): [None, text] for lbl, text in values["results"].items()
                                    if text})
                noun = NOUNS[table.kind][0]
                changes = {label: change for label, change in changes.items()
                           if not label.startswith("Current position (")}
                if new or changes:
                    record(f"{noun}_created" if new else f"{noun}_edited", obj, actor=actor, version=obj.version,
                           data={"changes": changes, "source": "import", "row": row.number})
                if row.baseline and pv.period is not None:
                    baseline_rows.append((obj, row.baseline))
        if baseline_rows:
            from app.plans.baseline import BaselineRefused, add_baseline

            try:
                result.updates = add_baseline(plan, pv.period, baseline_rows, actor).stored
            except BaselineRefused as exc:
                raise TransferError(f"{exc} Nothing has been saved.") from None
        record("plan_imported", plan, actor=actor, data={
            "source": source, **{kind: dict(c) for kind, c in result.counts.items()},
            "themes_created": result.themes_created, "updates": result.updates,
            "people_added": [u.name for u in added], "not_imported": len(pv.not_imported)})
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StalePreview(STALE_MESSAGE) from None
    except Exception:
        db.session.rollback()
        raise
    return result


def _add_people(pv: Preview, actor, state: PlanState) -> list:
    """Add the people the officer chose to add who own a row being stored: they cannot sign in
    until an administrator invites them (app/users/service.py)."""
    from app.plans.transfer.people import placeholder_email
    from app.users.service import UserError, create_user, person_with_email

    wanted = {row.values["owner"][4:] for table in pv.tables for row in table.rows
              if row.status in ("new", "changed") and isinstance(row.values.get("owner"), str)}
    added = []
    for unknown in pv.unknown:
        if unknown.key not in wanted:
            continue
        email = (pv.options.emails.get(unknown.key) if pv.options else None) or unknown.email
        email = email or placeholder_email(unknown.name, lambda e: person_with_email(e) is not None)
        try:
            user = create_user(email, unknown.name, None, unknown.job_title, actor=actor)
        except UserError as exc:
            raise TransferError(f"{unknown.name} could not be added: {exc}. Nothing has been saved.") from None
        state.people.by_id[user.id] = user
        state.people.pending[unknown.key] = user
        added.append(user)
    return added


def _new_object(kind: str, plan: Plan, values: dict):
    model = {"actions": Action, "risks": Risk, "indicators": Indicator}[kind]
    obj = model(plan_id=plan.id)
    for attr, default in NEW_DEFAULTS[kind].items():
        if attr not in values and attr not in ("milestones", "results", "owner", "theme"):
            setattr(obj, attr, default)
    if kind == "indicators" and "unit" not in values:
        obj.unit = infer_unit(values.get("description") or "",
                              [t for t in (values.get("results") or {}).values() if t])
    db.session.add(obj)
    return obj


def _set_values(kind: str, obj, values: dict, new: bool) -> None:
    for attr, value in values.items():
        if attr == "owner":
            obj.owner_id = value
        elif attr == "theme":
            obj.theme = value
        elif attr == "milestones":
            _set_milestones(obj, value)
        elif attr == "results":
            _set_results(obj, value)
        elif attr == "status":
            obj.rag = _rag_after(obj.status, value, obj.rag)
            obj.status = value
        elif not _same(getattr(obj, attr), value) or new:
            setattr(obj, attr, value)




def _set_milestones(action: Action, wanted: tuple) -> None:
    existing = sorted(action.milestones, key=lambda m: m.position) if action.id else []
    for position, (text, due, done) in enumerate(wanted, start=1):
        if position <= len(existing):
            milestone = existing[position - 1]
            if (milestone.text, milestone.due_on, bool(milestone.done)) != (text, due, done):
                milestone.text, milestone.due_on, milestone.done = text, due, done
            milestone.position = position
        else:
            action.milestones.append(Milestone(text=text, due_on=due, done=done, position=position))
    for milestone in existing[len(wanted):]:
        action.milestones.remove(milestone)
        db.session.delete(milestone)


def _set_results(indicator: Indicator, wanted: dict) -> None:
    by_label = {r.label: r for r in indicator.results} if indicator.id else {}
    for label, text in wanted.items():
        result = by_label.get(label)
        if text:
            if result is None:
                indicator.results.append(IndicatorResult(label=label, value_text=text, value=leading_number(text)))
            elif result.value_text != text:
                result.value_text, result.value = text, leading_number(text)
        elif result is not None and result.value_text:
            indicator.results.remove(result)
            db.session.delete(result)


# --- template and export -------------------------------------------------------------------
