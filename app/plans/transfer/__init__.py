"""Moving a plan's actions, risks and indicators in and out of spreadsheets.

Reading (`read_upload`, `read_paste`) turns an Excel workbook (.xlsx), a CSV file or a table
pasted from Excel or Word into `SourceTable`s: one per kind of row (actions, risks,
indicators), recognised by its headings, which are the council's own ("Reference ID",
"Accountable officer", "Rating (RAG)"…) compared loosely. `preview(plan, tables)` works out
what each row would store and whether it is new, changed (old → new) or unchanged, with
every problem on its row and column in plain English. `apply(plan, preview, actor)` stores
all the rows or none, with a trail event for each created or changed row and one for the
import, and refuses a preview that the plan has moved on from. `export_xlsx` and
`export_csv` write the plan in the same shape, so that an export imports back unchanged.

A council's own plan is read too, in any column layout: a Word document's tables (.docx), or a
sheet or pasted table that is not in the template. Docket proposes which column is which field
(`mapping`), recognises the kinds of row (`rowkinds`, `shapes`), resolves owners written as
initials or group rows (`people`), reads dates, targets and progress written in words
(`wording`, `ownshape`), and lists every cell it does not import; the officer's choices travel
as `options.ImportOptions`. The progress cells become the plan's current position
(`current`, app/plans/baseline.py).

Nothing is ever deleted by an import: rows of the plan that are not in the file stay as
they are, and a column that is not in the file leaves that field alone.
"""

from app.plans.transfer.columns import (  # noqa: F401
    ATTR_LABELS,
    COLUMNS,
    Column,
    DATE_FORMAT,
    FORMULA_STARTS,
    HEADER_SEARCH_ROWS,
    KINDS,
    KIND_TITLES,
    MAX_BYTES,
    MAX_ROWS,
    NOUNS,
    REQUIRED_COLUMNS,
    RESULT_HEADING,
    ReadResult,
    SHEET_KINDS,
    SHEET_NAMES,
    SourceTable,
    StalePreview,
    TransferError,
    _OFFICER,
    _REFERENCE,
    _norm,
    escape_cell,
    map_headings,
    result_heading,
    result_label,
    unescape_cell,
)
from app.plans.transfer.readers import (  # noqa: F401
    _blank,
    _cell_text,
    _count_rows,
    _decode,
    _delimited_rows,
    _find_table,
    _kind_word,
    _sheet_kind,
    _table_or_error,
    read_csv,
    read_paste,
    read_docx,
    read_upload,
    read_xlsx,
)
from app.plans.transfer.options import ImportOptions  # noqa: F401
from app.plans.transfer.state import (  # noqa: F401
    People,
    PlanState,
    _milestones_of,
    snapshot,
)
from app.plans.transfer.cells import (  # noqa: F401
    _rag_after,
    CellProblem,
    NEW_DEFAULTS,
    _BY,
    _DATE_HELP,
    _DATE_LIKE,
    _DATE_SHAPES,
    _DONE,
    _FREQUENCIES,
    _INCLUDE,
    _ISO_DATE,
    _MONTH_WORDS,
    _RAG_LABELS,
    _STATUS_WORDS,
    _UNITS,
    _WEEKDAYS,
    _choice,
    _limit,
    _lines,
    _one_line,
    format_due,
    format_milestones,
    format_number,
    format_type,
    parse_date,
    parse_due,
    parse_milestones,
    parse_number,
    parse_rag_cell,
    parse_type,
)
from app.plans.transfer.previewing import (  # noqa: F401
    Change,
    ONE_LINE_COLUMNS,
    Preview,
    Problem,
    RowPreview,
    TablePreview,
    _RowReader,
    _compare,
    _display,
    _display_row,
    _is_group_heading,
    _matcher,
    _read_row,
    _same,
    preview,
)
from app.plans.transfer.applying import (  # noqa: F401
    ImportResult,
    STALE_MESSAGE,
    _new_object,

    _set_milestones,
    _set_results,
    _set_values,
    apply,
)
from app.plans.transfer.export import (  # noqa: F401
    GUIDANCE,
    _LISTS,
    _WIDTHS,
    _safe,
    _workbook,
    default_result_labels,
    export_csv,
    export_rows,
    export_xlsx,
    filename,
    headings,
    plan_result_labels,
    template_xlsx,
)
