"""The desk: a local web page for the day's work over the practice's record (the store).

`paperfit.desk.app.create_app(store, config)` makes the Flask application; `paperfit desk`
serves it. Nothing is imported here, so that the command line starts quickly.
"""
