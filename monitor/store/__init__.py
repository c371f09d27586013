"""The only package that talks SQL (SQLAlchemy 2). One module per aggregate."""
