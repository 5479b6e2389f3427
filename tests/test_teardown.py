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


def test_a_page_that_wrote_nothing_ends_with_commit_and_one_that_wrote_ends_with_rollback(app, db):
    """Reading pages end their transaction with COMMIT, which keeps PostgreSQL's prepared
    statements (a ROLLBACK discards them); anything a request added or changed without
    committing it is still thrown away, on GET as on POST."""
    import sqlalchemy as sa
    from flask import request
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db as _db
    from app.models import Directorate
    from app.permissions import public

    web = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"], "SERVER_NAME": None,
                      "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                      "STORAGE_DIR": app.config.get("STORAGE_DIR"), "WTF_CSRF_ENABLED": False})

    @web.route("/_test/read-or-add", methods=["GET", "POST"])
    @public
    def _read_or_add():
        count = _db.session.scalar(sa.select(sa.func.count(Directorate.id)))
        if request.args.get("add") or request.method == "POST":
            _db.session.add(Directorate(name=f"Never committed {count}"))  # and no commit
        if request.args.get("flush"):
            _db.session.flush()
        return str(count)

    ends = []
    with web.app_context():
        engine = _db.engine
    listeners = [(engine, "commit", lambda conn: ends.append("commit")),
                 (engine, "rollback", lambda conn: ends.append("rollback"))]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        client = web.test_client()
        before = client.get("/_test/read-or-add").text
        assert ends == ["commit"]
        for how in ({"add": "1"}, {"add": "1", "flush": "1"}):
            ends.clear()
            assert client.get("/_test/read-or-add", query_string=how).status_code == 200
            assert ends == ["rollback"], how
        ends.clear()
        assert client.post("/_test/read-or-add").status_code == 200
        assert ends == ["rollback"]
        assert client.get("/_test/read-or-add").text == before  # nothing was stored
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
