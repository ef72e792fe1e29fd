"""sozialgraph: linked-data inventory of municipal social infrastructure."""

__version__ = "0.1.0"
