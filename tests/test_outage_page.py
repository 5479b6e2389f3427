from sqlalchemy.exc import OperationalError

from app.extensions import db as _db


def test_database_outage_is_a_503_page_not_a_500(app, sign_in_as, monkeypatch):
    client = sign_in_as("owner")

    def down(*args, **kwargs):
        raise OperationalError("SELECT ...", {}, Exception("connection refused"))

    # Every query fails, as in an outage: the first is the user loader's.
    monkeypatch.setattr(_db.session, "get", down)
    monkeypatch.setattr(_db.session, "execute", down)
    page = client.c.get("/")
    body = page.get_data(as_text=True)
    assert page.status_code == 503, body[:300]
    assert "Sorry, Docket is unavailable" in body and "Traceback" not in body
