"""Flask extensions, created unbound and bound to the app in ``create_app``."""
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from incubator.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Day-month-year and a 24-hour clock in every language: Cambodia does not use the US month-first
# order, and CLDR's Khmer short times would otherwise print "AM/PM" in Latin letters.
babel = Babel(date_formats={
    **Babel.default_date_formats,
    "date.short": "d MMM y",
    "date.medium": "d MMMM y",
    "datetime.short": "d MMM y, HH:mm",
    "datetime.medium": "d MMMM y, HH:mm",
    "time.short": "HH:mm",
})
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
