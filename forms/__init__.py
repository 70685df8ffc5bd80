"""The instruments as data (one TOML file each) and the model that loads and scores them."""

from pathlib import Path

BUILTIN_DIR = Path(__file__).parent
