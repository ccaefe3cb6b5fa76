"""The news site: pages, JSON API and Atom feed over the news desk's store.

``app.create_app`` serves it (``newsdistill serve``); ``static.publish`` writes the same
pages and feeds as files (``newsdistill publish``). ``data`` decides what of a stored story
is published, ``pages`` renders HTML, ``atom`` the feed. FastAPI and uvicorn are imported
only by ``app`` and the ``serve`` command.
"""
