"""Sources turn the outside world into Documents: feeds over HTTP, and folders of files."""
