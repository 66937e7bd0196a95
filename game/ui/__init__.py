"""The pygame front end of Chokepoint. Nothing here runs at import: pygame starts in `main()`."""
