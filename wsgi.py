import gc

from app import create_app

app = create_app()

# Everything made so far (the app, its models, routes and templates) lives as long as the
# process: move it out of the garbage collector's way, so that a collection during a request
# walks only what that request made, not the whole application (issue 17; docs/benchmarks.md).
gc.collect()
gc.freeze()
