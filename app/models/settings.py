"""The council's own settings: its name and the standard texts it prints (app/settings.py)."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model


class CouncilSetting(Model):
    """One setting, by key ("council_name", "front_sheet_contact", ...). A key without a row
    has its default (app/settings.py)."""

    __tablename__ = "council_setting"

    key: Mapped[str] = mapped_column(sa.String(60), unique=True)
    value: Mapped[str] = mapped_column(sa.Text)
