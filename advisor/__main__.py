"""The ``advisor`` command's process: ``python -m advisor`` and the console script start here."""

import os


def main() -> None:
    """Start the command line.

    pydantic looks for plugins among every installed distribution's entry points the first
    time it builds a model, which costs more than advisor's own start-up; the command's
    models are advisor's own, so its process looks for none unless the user asked for them
    (an explicit PYDANTIC_DISABLE_PLUGINS is kept). Set before advisor.cli is imported,
    as models are built then; a program that imports advisor as a library is not touched.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from advisor.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
