"""``python -m newsdistill``: the same as the ``newsdistill`` command."""

from newsdistill.cli import main

main()
