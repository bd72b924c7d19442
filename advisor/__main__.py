"""The ``advisor`` command's process: ``python -m advisor`` and the console script start here."""

import gc
import os


def main() -> None:
    """Start the command line.

    pydantic looks for plugins among every installed distribution's entry points the first
    time it builds a model, which costs more than advisor's own start-up; the command's
    models are advisor's own, so its process looks for none unless the user asked for them
    (an explicit PYDANTIC_DISABLE_PLUGINS is kept). Set before advisor.cli is imported;
    a program that imports advisor as a library is not touched.

    Importing the command allocates a great deal and frees almost nothing, so the cyclic
    collector's passes over it are wasted (about 7 ms of a ``decide``): it is off while the
    modules load, and what they built is then frozen, so that later collections pass it by.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    gc.disable()
    try:
        from advisor.cli import main as cli_main
    finally:
        gc.freeze()
        gc.enable()
    cli_main()


if __name__ == "__main__":
    main()
