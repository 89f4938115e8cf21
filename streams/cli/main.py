"""`python -m streams.cli.main ...` is the same as the `akhbar` console script."""
from streams.cli import main

if __name__ == "__main__":
    main()
