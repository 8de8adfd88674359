"""The node's Flask extensions, created unbound so models and views import them without cycles."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from shared.web.models import new_metadata


class Base(DeclarativeBase):
    """Declarative base of the node's tables; its metadata is the node's alone."""

    metadata = new_metadata()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
