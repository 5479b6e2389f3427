"""The ceiling for the throughput comparison: a bare Flask route that serves the final HTML of
each benchmarked page from memory, run under the same gunicorn settings as Docket.

    BENCH_CEILING_DIR=bench/results/pages gunicorn --pythonpath bench ceiling:app

GET (or POST) /<name> answers with <name>.html from that folder, as text/html.
"""
import os
from pathlib import Path

from flask import Flask, Response, abort

app = Flask(__name__)
PAGES = {path.stem: path.read_bytes() for path in Path(os.environ.get("BENCH_CEILING_DIR", ".")).glob("*.html")}


@app.route("/<name>", methods=["GET", "POST"])  # POST: a page that answers an upload
def page(name):
    body = PAGES.get(name)
    if body is None:
        abort(404)
    return Response(body, mimetype="text/html")
