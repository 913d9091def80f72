"""Programme files in and out: one YAML file or a folder of CSV files, same data, lossless."""

from coprod.io.loader import load_programme, read_raw, validate_raw
from coprod.io.writer import write_programme

__all__ = ["load_programme", "read_raw", "validate_raw", "write_programme"]
