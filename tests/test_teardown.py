import sqlalchemy.orm
from sqlalchemy.exc import OperationalError


def test_database_lost_after_the_page_was_built(app, sign_in_as, monkeypatch):
    client = sign_in_as("owner")
    real_close = sqlalchemy.orm.Session.close
    calls = []

    def close(self):
        calls.append(1)
        if len(calls) == 1:
            real_close(self)
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))
        return real_close(self)

    monkeypatch.setattr(sqlalchemy.orm.Session, "close", close)
    page = client.c.get("/")
    assert page.status_code == 200
